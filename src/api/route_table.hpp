// The route table: method + path pattern -> access policy, placement, handler.
// Routing is data; cross-cutting policy (authentication, admin role,
// deprecation headers, 404/405) is applied once, in TableRouter::Dispatch.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keymint/api/router.hpp"
#include "keymint/service/authenticator.hpp"

namespace keymint::api {

enum class Access {
  kPublic,         // no credentials (token endpoints, discovery)
  kAuthenticated,  // any valid bearer token: a user's or a service account's
  kUser,           // a user's bearer token (own access keys, own password)
  kAdmin,          // a bearer token whose caller is a System administrator now
};

// What a handler gets: the request, its path parameters and decoded query,
// and the authenticated caller (null on public routes).
struct RequestContext {
  const Request& request;
  std::vector<std::string> params;                         // values of the pattern's {placeholders}, in order
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded
  const Principal* principal = nullptr;

  // The single value of a query parameter; nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
};

// A handler answers at once, or (on an inline route) returns work that must
// run on the blocking pool, e.g. a password grant's slow KDF.
using Deferred = std::function<Response()>;
using Reply = std::variant<Response, Deferred>;
using Handler = std::function<Reply(const RequestContext&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/access-keys/{id}/secret"
  Access access;
  Placement placement;
  Handler handler;
  // Non-empty on a deprecated path: every response gets `Deprecation: true`
  // and a Link naming this successor path.
  std::string successor = {};
};

// The routes of each resource family (defined beside their handlers).
struct ApiServices;
std::vector<Route> TokenRoutes(const ApiServices& services);
std::vector<Route> DiscoveryRoutes(const ApiServices& services);
std::vector<Route> AccessKeyRoutes(const ApiServices& services);
std::vector<Route> UserRoutes(const ApiServices& services);
std::vector<Route> ServiceAccountRoutes(const ApiServices& services);

}  // namespace keymint::api
