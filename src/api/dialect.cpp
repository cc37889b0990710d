#include "api/dialect.hpp"

#include <boost/json.hpp>
#include <ctime>
#include <string>

#include "api/headers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// RFC 6749 §5.2 names, plus "slow_down" (RFC 8628 §3.5) for a throttled
// client and §4.1.2.1's names for failures that are not the client's.
std::string_view OAuthName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return "invalid_client";
    case ErrorCode::kResourceExhausted:
      return "slow_down";
    case ErrorCode::kUnavailable:
      return "temporarily_unavailable";
    case ErrorCode::kInternal:
      return "server_error";
    default:
      return "invalid_request";
  }
}

Response OAuthAnswer(const Error& error, const Request& request) {
  // ErrorResponse logs a server-side failure and picks the status and the
  // message that is safe to show.
  const Response shown = ErrorResponse(error);
  std::string_view description = error.message;
  if (shown.status == 503) description = "the server is busy or a dependency failed; retry shortly";
  if (shown.status >= 500 && shown.status != 503) description = "internal error";
  const std::string_view name = error.reason.empty() ? OAuthName(error.code) : std::string_view(error.reason);
  Response response = JsonResponse(shown.status, json::object{{"error", name}, {"error_description", description}});
  if (shown.status == 429 || shown.status == 503) response.AddHeader("Retry-After", RetryAfterSeconds(error));
  if (shown.status == 401 && CredentialsForScheme(request.authorization, "basic")) {
    response.AddHeader("WWW-Authenticate", "Basic realm=\"keymint\"");
  }
  AddNoStore(response);
  return response;
}

// RFC 9110 §5.6.7's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT". keymint
// never calls setlocale, so strftime's day and month names are the C
// locale's English ones the format requires.
std::string HttpDate(int64_t unix_seconds) {
  const auto time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string(text, length);
}

}  // namespace

std::string_view SuccessorPath(Dialect dialect) {
  switch (dialect) {
    case Dialect::kUserApplications:
      return "/api/v1/access-keys";
    case Dialect::kApplications:
      return "/api/v1/service-accounts";
    default:
      return "";
  }
}

DeprecationNotice MakeDeprecationNotice(int64_t date, std::optional<int64_t> sunset) {
  // Appended rather than `"@" + std::to_string(date)`: GCC 12 at -O3 reports a
  // false -Wrestrict on that operator+ overload, which stops a Release build.
  DeprecationNotice notice{.deprecation = "@", .sunset = ""};
  notice.deprecation += std::to_string(date);
  if (sunset) notice.sunset = HttpDate(*sunset);
  return notice;
}

void AddDeprecationHeaders(Dialect dialect, const DeprecationNotice& notice, Response& response) {
  const std::string_view successor = SuccessorPath(dialect);
  if (successor.empty()) return;
  response.AddHeader("Deprecation", notice.deprecation);
  response.AddHeader("Link", "<" + std::string(successor) + ">; rel=\"successor-version\", <" +
                                 std::string(kMigrationGuidePath) + ">; rel=\"deprecation\"; type=\"text/markdown\"");
  if (!notice.sunset.empty()) response.AddHeader("Sunset", notice.sunset);
}

Response ErrorAnswer(Dialect dialect, const Error& error, const Request& request) {
  if (dialect == Dialect::kOAuth || dialect == Dialect::kOAuthClient) return OAuthAnswer(error, request);
  Response response = ErrorResponse(error);
  if (dialect == Dialect::kV1Token) AddNoStore(response);
  return response;
}

}  // namespace keymint::api
