// The token endpoints: /api/v1/token (Run:ai JSON) and /api/v2/token
// (RFC 6749 form). Client-credentials exchanges run inline on the I/O thread
// (CPU-bound signing is the product); password grants, which run the slow KDF,
// are sent to the blocking pool.
#include <variant>

#include "api/form.hpp"
#include "api/headers.hpp"
#include "api/json_body.hpp"
#include "api/route_table.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

void AddNoStore(Response& response) {
  response.AddHeader("Cache-Control", "no-store");
  response.AddHeader("Pragma", "no-cache");
}

// ---- v1: JSON in, {"accessToken","expiresIn"} out, errors in the Error shape.

Response V1Error(const Error& error) {
  Response response = ErrorResponse(error);  // with Retry-After on 429 and 503
  AddNoStore(response);
  return response;
}

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

Response V1Success(const IssuedToken& token) { return TokenResponse("accessToken", token, "\"expiresIn\":"); }

// The first of `names` present in `body` (aliases such as clientId/clientID).
Result<std::string_view> StringAlias(const json::object& body, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (body.contains(name)) return RequireString(body, name);
  }
  return RequireString(body, *names.begin());
}

Reply V1Token(const ApiServices& services, const Request& request) {
  // Token bodies are small: parse into a stack arena, not the heap.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  auto parsed = ParseJsonObject(request, &arena);
  if (auto* error = std::get_if<Response>(&parsed)) {
    AddNoStore(*error);
    return std::move(*error);
  }
  const json::object& body = std::get<json::object>(parsed);
  auto grant = RequireString(body, "grantType");
  if (!grant.ok()) return V1Error(grant.error());

  if (*grant == "client_credentials" || *grant == "app_token") {
    const bool legacy = *grant == "app_token";
    auto id = legacy ? StringAlias(body, {"appID", "appId"}) : StringAlias(body, {"clientId", "clientID"});
    if (!id.ok()) return V1Error(id.error());
    auto secret = RequireString(body, legacy ? "appSecret" : "clientSecret");
    if (!secret.ok()) return V1Error(secret.error());
    auto token = services.tokens.ExchangeClientCredentials(*id, *secret, request.remote_address);
    return token.ok() ? V1Success(*token) : V1Error(token.error());
  }
  if (*grant == "password") {
    auto username = RequireString(body, "username");
    if (!username.ok()) return V1Error(username.error());
    auto password = RequireString(body, "password");
    if (!password.ok()) return V1Error(password.error());
    return Deferred([&services, username = std::string(*username), password = std::string(*password),
                     source = std::string(request.remote_address)] {
      auto token = services.tokens.ExchangePassword(username, password, source);
      return token.ok() ? V1Success(*token) : V1Error(token.error());
    });
  }
  return V1Error(Error::InvalidArgument("grantType must be client_credentials, app_token or password"));
}

// ---- v2: RFC 6749 form in, {"access_token","token_type","expires_in"} out,
// errors as {"error","error_description"} (§5.2).

Response OAuthError(int status, std::string_view code, std::string_view description) {
  Response response = JsonResponse(status, json::object{{"error", code}, {"error_description", description}});
  AddNoStore(response);
  return response;
}

// Too many failures for this client, username or address: 429 with
// "slow_down", the token-endpoint error the OAuth registry has for "retry
// later" (RFC 8628 §3.5).
Response V2Throttled(const Error& error) {
  Response response = OAuthError(429, "slow_down", error.message);
  response.AddHeader("Retry-After", RetryAfterSeconds(error));
  return response;
}

// A failure that is not the client's fault, still in the RFC 6749 shape
// (temporarily_unavailable / server_error, as §4.1.2.1 names them).
Response V2ServerError(const Error& error) {
  Response mapped = ErrorResponse(error);  // the status and a message safe to show
  const bool busy = mapped.status == 503;
  Response response = OAuthError(mapped.status, busy ? "temporarily_unavailable" : "server_error",
                                 busy ? "the server is busy or a dependency failed; retry shortly" : "internal error");
  if (busy) response.AddHeader("Retry-After", RetryAfterSeconds(error));
  return response;
}

const std::string* Param(const std::map<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? nullptr : &it->second;
}

Response V2Success(const IssuedToken& token) {
  return TokenResponse("access_token", token, "\"token_type\":\"Bearer\",\"expires_in\":");
}

Response V2ClientCredentials(const ApiServices& services, const Request& request,
                             const std::map<std::string, std::string>& form) {
  auto basic = ParseBasicAuthorization(request.authorization);
  const std::string* body_id = Param(form, "client_id");
  const std::string* body_secret = Param(form, "client_secret");
  std::string client_id, client_secret;
  if (basic) {
    if (!basic->ok()) return OAuthError(400, "invalid_request", basic->error().message);
    // Some clients repeat client_id in the body alongside Basic; that is one
    // method as long as it names the same client. A body secret is a second one.
    if (body_secret || (body_id && *body_id != (*basic)->client_id)) {
      return OAuthError(400, "invalid_request", "use one client authentication method, not Basic and the body");
    }
    client_id = (*basic)->client_id;
    client_secret = (*basic)->client_secret;
  } else {
    if (!body_id || !body_secret) {
      return OAuthError(400, "invalid_request", "client_id and client_secret are required");
    }
    client_id = *body_id;
    client_secret = *body_secret;
  }
  auto token = services.tokens.ExchangeClientCredentials(client_id, client_secret, request.remote_address);
  if (token.ok()) return V2Success(*token);
  if (token.error().code == ErrorCode::kResourceExhausted) return V2Throttled(token.error());
  if (token.error().code != ErrorCode::kUnauthenticated) return V2ServerError(token.error());
  Response response = OAuthError(401, "invalid_client", "client authentication failed");
  if (basic) response.AddHeader("WWW-Authenticate", "Basic realm=\"keymint\"");
  return response;
}

Response V2Password(const ApiServices& services, const std::map<std::string, std::string>& form,
                    std::string_view source) {
  const std::string* username = Param(form, "username");
  const std::string* password = Param(form, "password");
  if (!username || !password) return OAuthError(400, "invalid_request", "username and password are required");
  auto token = services.tokens.ExchangePassword(*username, *password, source);
  if (token.ok()) return V2Success(*token);
  if (token.error().code == ErrorCode::kResourceExhausted) return V2Throttled(token.error());
  if (token.error().code != ErrorCode::kUnauthenticated) return V2ServerError(token.error());
  return OAuthError(400, "invalid_grant", "invalid username or password");
}

Reply V2Token(const ApiServices& services, const Request& request) {
  if (!HasMediaType(request.content_type, "application/x-www-form-urlencoded")) {
    return OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
  }
  auto form = ParseForm(request.body);
  if (!form.ok()) return OAuthError(400, "invalid_request", form.error().message);
  const std::string* grant = Param(*form, "grant_type");
  if (!grant) return OAuthError(400, "invalid_request", "grant_type is required");
  if (*grant == "client_credentials") return V2ClientCredentials(services, request, *form);
  if (*grant == "password") {
    return Deferred([&services, form = std::move(*form), source = std::string(request.remote_address)] {
      return V2Password(services, form, source);
    });
  }
  return OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials or password");
}

}  // namespace

std::vector<Route> TokenRoutes(const ApiServices& services) {
  const ApiServices* s = &services;
  return {
      {"POST", "/api/v1/token", Access::kPublic, Placement::kInline,
       [s](const RequestContext& c) { return V1Token(*s, c.request); }},
      {"POST", "/api/v2/token", Access::kPublic, Placement::kInline,
       [s](const RequestContext& c) { return V2Token(*s, c.request); }},
  };
}

}  // namespace keymint::api
