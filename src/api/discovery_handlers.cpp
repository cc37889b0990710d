// Discovery: the JWKS and the RFC 8414 / OpenID Connect metadata documents,
// enough for a stock OAuth client to find the token endpoint and verify
// tokens. The documents never change while running, so they are built once.
#include "api/json_body.hpp"
#include "api/route_table.hpp"
#include "keymint/api/api.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

std::string MetadataDocument(const std::string& issuer) {
  return json::serialize(json::object{
      {"issuer", issuer},
      {"token_endpoint", issuer + "/api/v2/token"},
      {"jwks_uri", issuer + "/.well-known/jwks.json"},
      {"grant_types_supported", json::array{"client_credentials", "password"}},
      {"token_endpoint_auth_methods_supported", json::array{"client_secret_basic", "client_secret_post"}},
      {"response_types_supported", json::array{"token"}},
      {"subject_types_supported", json::array{"public"}},
      {"id_token_signing_alg_values_supported", json::array{"RS256"}},
      {"claims_supported",
       json::array{"iss", "sub", "aud", "iat", "nbf", "exp", "jti", "client_id", "roles", "preferred_username"}},
  });
}

Handler Fixed(std::string body) {
  return [body = std::move(body)](const RequestContext&) -> Reply {
    Response response;
    response.body = body;
    response.AddHeader("Cache-Control", "public, max-age=300");
    return response;
  };
}

}  // namespace

std::vector<Route> DiscoveryRoutes(const ApiServices& services) {
  std::string metadata = MetadataDocument(services.issuer);
  return {
      {"GET", "/.well-known/jwks.json", Access::kPublic, Placement::kInline, Fixed(services.keys.jwks_json())},
      {"GET", "/.well-known/openid-configuration", Access::kPublic, Placement::kInline, Fixed(metadata)},
      {"GET", "/.well-known/oauth-authorization-server", Access::kPublic, Placement::kInline, Fixed(metadata)},
  };
}

}  // namespace keymint::api
