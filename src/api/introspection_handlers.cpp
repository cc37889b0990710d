// Token introspection (RFC 7662) and revocation (RFC 7009): form-encoded,
// the client authenticated exactly as at /api/v2/token (the same parsing,
// throttle and invalid_client answer with its Basic challenge), errors in
// RFC 6749 §5.2's shape. See README "Introspection and revocation".
#include <boost/json.hpp>

#include "api/client_authentication.hpp"
#include "api/form.hpp"
#include "api/handlers.hpp"
#include "api/headers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kFormMediaType = "application/x-www-form-urlencoded";

Result<TokenIntrospection*> Introspection(const RequestContext& c) {
  if (c.services.introspection == nullptr) return Error::Unavailable("introspection and revocation are not available");
  return c.services.introspection;
}

// The form of an introspection or revocation request whose client
// authenticated, and its `token` parameter.
struct AuthenticatedForm {
  std::map<std::string, std::string> form;
  std::string client_id;
  std::string token;
};

Result<AuthenticatedForm> AuthenticatedRequest(const RequestContext& c) {
  if (!HasMediaType(c.request.content_type, kFormMediaType)) {
    return Error::InvalidArgument("the body must be application/x-www-form-urlencoded");
  }
  ASSIGN_OR_RETURN(auto form, ParseForm(c.request.body));
  ASSIGN_OR_RETURN(auto client, V2ClientAuthentication(c.request, form));
  c.client_id = client.id;
  auto authenticated = c.services.tokens.AuthenticateClient(client.id, client.secret, c.request.remote_address);
  if (!authenticated.ok() && authenticated.error().code == ErrorCode::kUnauthenticated) {
    return Error::Unauthenticated("client authentication failed");  // invalid_client, whatever the cause
  }
  RETURN_IF_ERROR(authenticated);
  const std::string* token = Param(form, "token");
  if (!token) return Error::InvalidArgument("token is required");
  // token_type_hint (RFC 7009 §2.1, RFC 7662 §2.1) is accepted and ignored:
  // keymint issues one kind of token.
  return AuthenticatedForm{std::move(form), std::move(*authenticated), *token};
}

// RFC 7662 §2.2: "active" plus the token's claims, `scope` as the space
// separated roles (RFC 8693 §4.2's form) beside keymint's own `roles`.
json::object ActiveAnswer(const json::object& claims) {
  json::object answer{{"active", true}, {"token_type", "Bearer"}};
  for (std::string_view name : {"iss", "sub", "aud", "iat", "nbf", "exp", "jti", "client_id", "roles"}) {
    if (const json::value* v = claims.if_contains(name)) answer[name] = *v;
  }
  if (const json::value* name = claims.if_contains("preferred_username")) answer["username"] = *name;
  if (const json::value* roles = claims.if_contains("roles"); roles && roles->is_array()) {
    std::string scope;
    for (const auto& role : roles->get_array()) {
      if (!role.is_string()) continue;
      if (!scope.empty()) scope += ' ';
      scope += role.get_string();
    }
    answer["scope"] = scope;
  }
  return answer;
}

Response Introspected(const json::object& answer) {
  Response response = JsonResponse(200, answer);
  AddNoStore(response);
  return response;
}

}  // namespace

Result<Response> IntrospectToken(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto* introspection, Introspection(c));
  ASSIGN_OR_RETURN(auto request, AuthenticatedRequest(c));
  ASSIGN_OR_RETURN(auto claims_text, introspection->Introspect(request.token));
  json::error_code ec;
  const json::value claims = claims_text ? json::parse(*claims_text, ec) : json::value();
  if (!claims_text || ec || !claims.is_object()) return Introspected(json::object{{"active", false}});
  return Introspected(ActiveAnswer(claims.get_object()));
}

Result<Response> RevokeToken(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto* introspection, Introspection(c));
  ASSIGN_OR_RETURN(auto request, AuthenticatedRequest(c));
  Status revoked = introspection->Revoke(request.token, request.client_id);
  if (!revoked.ok() && revoked.error().code == ErrorCode::kPermissionDenied) {
    // RFC 7009 §2.1: the token was issued to another client; nothing is revoked.
    return Error::InvalidArgument(revoked.error().message).WithReason("unauthorized_client");
  }
  RETURN_IF_ERROR(revoked);
  Response response = JsonResponse(200, json::object{});
  AddNoStore(response);
  return response;
}

}  // namespace keymint::api
