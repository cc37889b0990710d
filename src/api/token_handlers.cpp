// The token endpoints: /api/v1/token (Run:ai JSON) and /api/v2/token
// (RFC 6749 form). Both run inline on the I/O thread (CPU-bound signing is
// the product), except password grants, whose slow KDF the route table's
// Placement::kByGrant sends to the blocking pool before the handler runs.
#include "api/client_authentication.hpp"
#include "api/form.hpp"
#include "api/handlers.hpp"
#include "api/headers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"
#include "keymint/common/log.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// Token bodies are small: they are parsed into a stack arena of this size.
constexpr std::size_t kTokenBodyArenaBytes = 4096;

// Token responses are written directly: a JWT is base64url and dots, so it
// needs no JSON escaping, and this saves building and serialising an object
// on the hot path.
Response TokenResponse(std::string_view token_member, const IssuedToken& token, std::string_view rest) {
  Response response;
  response.body.reserve(token.jwt.size() + 96);
  response.body.append("{\"").append(token_member).append("\":\"").append(token.jwt).append("\",");
  response.body.append(rest).append(std::to_string(token.expires_in)).append("}");
  AddNoStore(response);
  return response;
}

// ---- v1: JSON in, {"accessToken","expiresIn"} out, errors in the Error shape.

Response V1Success(const IssuedToken& token) { return TokenResponse("accessToken", token, "\"expiresIn\":"); }

// The first of `names` present in `body` (aliases such as clientId/clientID).
Result<std::string_view> StringAlias(const json::object& body, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (body.contains(name)) return RequireString(body, name);
  }
  return RequireString(body, *names.begin());
}

// Copied only while request lines are written: otherwise the token path
// would pay for a string nobody reads.
void NoteClientId(const RequestContext& c, std::string_view id) {
  if (log::Enabled(log::Level::kInfo)) c.client_id = id;
}

Result<Response> V1ClientCredentials(const RequestContext& c, const json::object& body, bool legacy) {
  ASSIGN_OR_RETURN(auto id,
                   legacy ? StringAlias(body, {"appID", "appId"}) : StringAlias(body, {"clientId", "clientID"}));
  NoteClientId(c, id);
  ASSIGN_OR_RETURN(auto secret, RequireString(body, legacy ? "appSecret" : "clientSecret"));
  ASSIGN_OR_RETURN(auto token, c.services.tokens.ExchangeClientCredentials(id, secret, c.request.remote_address,
                                                                           c.request.user_agent));
  return V1Success(token);
}

Result<Response> V1Password(const RequestContext& c, const json::object& body) {
  ASSIGN_OR_RETURN(auto username, RequireString(body, "username"));
  ASSIGN_OR_RETURN(auto password, RequireString(body, "password"));
  ASSIGN_OR_RETURN(auto token, c.services.tokens.ExchangePassword(username, password, c.request.remote_address));
  return V1Success(token);
}

// ---- v2: RFC 6749 form in, {"access_token","token_type","expires_in"} out,
// errors as {"error","error_description"} (§5.2, mapped in dialect.cpp).

Response V2Success(const IssuedToken& token) {
  return TokenResponse("access_token", token, "\"token_type\":\"Bearer\",\"expires_in\":");
}

Result<Response> V2ClientCredentials(const RequestContext& c, const std::map<std::string, std::string>& form) {
  ASSIGN_OR_RETURN(auto client, V2ClientAuthentication(c.request, form));
  NoteClientId(c, client.id);
  auto token = c.services.tokens.ExchangeClientCredentials(client.id, client.secret, c.request.remote_address,
                                                           c.request.user_agent);
  if (!token.ok() && token.error().code == ErrorCode::kUnauthenticated) {
    return Error::Unauthenticated("client authentication failed");  // invalid_client, whatever the cause
  }
  RETURN_IF_ERROR(token);
  return V2Success(*token);
}

Result<Response> V2Password(const RequestContext& c, const std::map<std::string, std::string>& form) {
  const std::string* username = Param(form, "username");
  const std::string* password = Param(form, "password");
  if (!username || !password) return Error::InvalidArgument("username and password are required");
  auto token = c.services.tokens.ExchangePassword(*username, *password, c.request.remote_address);
  if (!token.ok() && token.error().code == ErrorCode::kUnauthenticated) {
    // The resource owner's credentials are a grant, not the client's (§5.2).
    return Error::InvalidArgument("invalid username or password").WithReason("invalid_grant");
  }
  RETURN_IF_ERROR(token);
  return V2Success(*token);
}

constexpr std::string_view kFormMediaType = "application/x-www-form-urlencoded";

}  // namespace

Result<Response> IssueV1Token(const RequestContext& c) {
  unsigned char buffer[kTokenBodyArenaBytes];
  json::monotonic_resource arena(buffer, sizeof buffer);
  ASSIGN_OR_RETURN(const json::object body, ParseJsonObject(c.request, &arena));
  ASSIGN_OR_RETURN(auto grant, RequireString(body, "grantType"));
  c.grant = TokenGrant::kUnsupported;
  if (grant == "client_credentials") {
    c.grant = TokenGrant::kClientCredentials;
    return V1ClientCredentials(c, body, /*legacy=*/false);
  }
  if (grant == "app_token") {
    c.grant = TokenGrant::kAppToken;
    return V1ClientCredentials(c, body, /*legacy=*/true);
  }
  if (grant == "password") {
    c.grant = TokenGrant::kPassword;
    return V1Password(c, body);
  }
  return Error::InvalidArgument("grantType must be client_credentials, app_token or password");
}

Result<Response> IssueV2Token(const RequestContext& c) {
  if (!HasMediaType(c.request.content_type, kFormMediaType)) {
    return Error::InvalidArgument("the body must be application/x-www-form-urlencoded");
  }
  ASSIGN_OR_RETURN(auto form, ParseForm(c.request.body));
  const std::string* grant = Param(form, "grant_type");
  if (!grant) return Error::InvalidArgument("grant_type is required");
  c.grant = TokenGrant::kUnsupported;
  if (*grant == "client_credentials") {
    c.grant = TokenGrant::kClientCredentials;
    return V2ClientCredentials(c, form);
  }
  if (*grant == "password") {
    c.grant = TokenGrant::kPassword;
    return V2Password(c, form);
  }
  return Error::InvalidArgument("grant_type must be client_credentials or password")
      .WithReason("unsupported_grant_type");
}

bool RequestsPasswordGrant(Dialect dialect, const Request& request) {
  if (dialect == Dialect::kOAuth) {
    return HasMediaType(request.content_type, kFormMediaType) && FormValue(request.body, "grant_type") == "password";
  }
  unsigned char buffer[kTokenBodyArenaBytes];
  json::monotonic_resource arena(buffer, sizeof buffer);
  auto body = ParseJsonObject(request, &arena);
  if (!body.ok()) return false;
  const json::value* grant = body->if_contains("grantType");
  return grant && grant->is_string() && grant->get_string() == "password";
}

}  // namespace keymint::api
