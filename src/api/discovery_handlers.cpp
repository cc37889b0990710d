// Discovery: the JWKS and the RFC 8414 / OpenID Connect metadata documents,
// enough for a stock OAuth client to find the token endpoint and verify
// tokens. Both may be cached by clients for a while.
#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

Response Cacheable(std::string body) {
  Response response;
  response.body = std::move(body);
  response.AddHeader("Cache-Control", "public, max-age=300");
  return response;
}

// The algorithms of the published keys, the active one first: every token
// keymint has minted and would still accept is signed with one of them.
// ["RS256"], as before, while every key in the directory is RSA.
json::array SigningAlgorithms(const crypto::KeyRing& keys) {
  json::array names;
  for (crypto::SigningAlgorithm algorithm : keys.algorithms()) names.emplace_back(crypto::AlgorithmName(algorithm));
  return names;
}

}  // namespace

// A verifier caching the JWKS for the publish delay has seen a rotated key
// (published as next) before any token carries it. With no delay, max-age=0:
// a new key signs at once, so verifiers should not serve the JWKS from cache.
Result<Response> GetJwks(const RequestContext& c) {
  Response response;
  response.body = c.services.keys.jwks_json();
  response.AddHeader("Cache-Control", "public, max-age=" + std::to_string(c.services.keys.publish_delay_seconds()));
  return response;
}

Result<Response> GetServerMetadata(const RequestContext& c) {
  const std::string& issuer = c.services.issuer;
  return Cacheable(json::serialize(json::object{
      {"issuer", issuer},
      {"token_endpoint", issuer + "/api/v2/token"},
      {"jwks_uri", issuer + "/.well-known/jwks.json"},
      {"grant_types_supported", json::array{"client_credentials", "password"}},
      {"token_endpoint_auth_methods_supported", json::array{"client_secret_basic", "client_secret_post"}},
      {"response_types_supported", json::array{"token"}},
      {"subject_types_supported", json::array{"public"}},
      {"id_token_signing_alg_values_supported", SigningAlgorithms(c.services.keys)},
      {"introspection_endpoint", issuer + "/oauth2/introspect"},
      {"introspection_endpoint_auth_methods_supported", json::array{"client_secret_basic", "client_secret_post"}},
      {"revocation_endpoint", issuer + "/oauth2/revoke"},
      {"revocation_endpoint_auth_methods_supported", json::array{"client_secret_basic", "client_secret_post"}},
      {"claims_supported",
       json::array{"iss", "sub", "aud", "iat", "nbf", "exp", "jti", "client_id", "roles", "preferred_username"}},
  }));
}

}  // namespace keymint::api
