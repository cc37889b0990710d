// How one family of paths speaks: its error shape, whether its answers may
// be cached, and, for a deprecated family, the path that replaces it. The
// router turns every failed handler Result into an answer here, once per
// dialect; handlers only return Errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keymint/api/http.hpp"
#include "keymint/common/result.hpp"

namespace keymint::api {

enum class Dialect {
  kStandard,          // the seeds' current paths; errors in the Error shape {"code","message"}
  kUserApplications,  // access keys under their deprecated name (seed 000): bare lists, "secret"
  kApplications,      // service accounts under their deprecated name (seed 001): "secret"
  kV1Token,           // /api/v1/token (seed 005): the Error shape, never cached
  kOAuth,             // /api/v2/token: RFC 6749 §5.2 {"error","error_description"}, never cached
  kOAuthClient,       // /oauth2/introspect and /oauth2/revoke: kOAuth's errors, but they mint no token
};

// The path that replaces a deprecated dialect's paths; "" when current.
std::string_view SuccessorPath(Dialect dialect);

// Where the migration guide is served (GET, public): the target of every
// deprecated answer's `Link: <...>; rel="deprecation"` (RFC 9745 §3).
inline constexpr std::string_view kMigrationGuidePath = "/docs/migration";

// The header values a deprecated answer carries, formatted once at start-up
// rather than on every answer.
struct DeprecationNotice {
  std::string deprecation;  // RFC 9745 structured date: "@1735689600"
  std::string sunset;       // RFC 8594 HTTP-date, "" when no sunset is announced
};

// `date` and `sunset` are Unix seconds; no sunset means none announced.
DeprecationNotice MakeDeprecationNotice(int64_t date, std::optional<int64_t> sunset);

// On a deprecated dialect, the headers every answer on its paths carries:
// `Deprecation`, a `Link` to the successor path (rel="successor-version",
// RFC 8288) and to the migration guide (rel="deprecation"), and `Sunset`
// when one is announced.
void AddDeprecationHeaders(Dialect dialect, const DeprecationNotice& notice, Response& response);

// The answer for `error` in `dialect`. 4xx errors keep their message; 5xx are
// logged and answered generically. 429 and 503 carry Retry-After. In the
// OAuth dialect the "error" member is error.reason, else the RFC 6749 name
// for the code, and a 401 to a client that used Basic carries a Basic
// challenge (RFC 6749 §5.2).
Response ErrorAnswer(Dialect dialect, const Error& error, const Request& request);

}  // namespace keymint::api
