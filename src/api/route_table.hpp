// The route table: one literal row per (method, full path), saying who may
// call it, where it runs, how its answers are spelled and which handler
// answers it. Cross-cutting policy (404/405, authentication, the admin role,
// error answers, deprecation headers) is applied once, by the router.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dialect.hpp"
#include "keymint/api/http.hpp"
#include "keymint/api/metrics.hpp"
#include "keymint/common/result.hpp"
#include "keymint/service/authenticator.hpp"

namespace keymint::api {

struct ApiServices;

enum class Access {
  kPublic,         // no credentials (token endpoints, discovery)
  kAuthenticated,  // any valid bearer token: a user's or a service account's
  kUser,           // a user's bearer token (own access keys, own password)
  kAdmin,          // a bearer token whose caller is a System administrator now
};

// Where the transport runs a route's handler.
enum class Placement {
  kInline,   // on the I/O thread: CPU-bound and short (token minting, discovery)
  kPool,     // on the blocking-work pool: synced disk writes, password hashing
  kByGrant,  // a token endpoint: inline, except a password grant (its slow KDF) on the pool
};

// Which listener serves a route when keymint has an admin listener
// (--admin-listen); without one, the main listener serves every route.
enum class Surface {
  kApi,         // the main listener
  kOperations,  // health, readiness and metrics: the admin listener
};

// What a handler gets: the request, its path parameters and decoded query,
// the authenticated caller (null on public routes), the services, and the
// dialect of the route it was reached by.
struct RequestContext {
  const Request& request;
  const ApiServices& services;
  Dialect dialect;
  std::vector<std::string> params;                         // values of the path's {placeholders}, in order
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded
  const Principal* principal = nullptr;
  // Set by the token handlers once they know it, for the metrics; the only
  // thing a handler writes back.
  mutable TokenGrant grant = TokenGrant::kNone;
  // Set by the token handlers, for the request log (Response::client_id).
  mutable std::string client_id{};

  // The single value of a query parameter; nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
};

// Every handler has this shape: an answer, or an Error that the router turns
// into the route's dialect.
using Handler = Result<Response> (*)(const RequestContext&);

struct Route {
  std::string_view method;
  std::string_view path;  // "/api/v1/access-keys/{id}/secret"
  Access access;
  Placement placement;
  Dialect dialect;
  Handler handler;
  Surface surface = Surface::kApi;
};

// Every route keymint serves (routes.cpp).
std::span<const Route> RouteTable();

}  // namespace keymint::api
