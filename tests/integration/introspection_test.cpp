// Token introspection (RFC 7662) and revocation (RFC 7009) against the real
// binary: what is active, what revoking does to the management API, that a
// revocation survives a restart, client authentication as at /api/v2/token,
// and discovery.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

constexpr const char* kIntrospect = "/oauth2/introspect";
constexpr const char* kRevoke = "/oauth2/revoke";

std::string ClientPost(const CreatedKey& client) {
  return "client_id=" + FormEncode(client.client_id) + "&client_secret=" + FormEncode(client.client_secret);
}

HttpResponse Introspect(uint16_t port, const CreatedKey& client, const std::string& token) {
  return PostForm(port, kIntrospect, ClientPost(client) + "&token=" + FormEncode(token));
}

HttpResponse Revoke(uint16_t port, const CreatedKey& client, const std::string& token) {
  return PostForm(port, kRevoke, ClientPost(client) + "&token=" + FormEncode(token) + "&token_type_hint=access_token");
}

// REQUIREs a 200 introspection answer that is not cached; returns its object.
json::object Introspection(const HttpResponse& response) {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Cache-Control") == "no-store");
  return AsObject(response.Json());
}

void CheckInactive(const HttpResponse& response) {
  const json::object answer = Introspection(response);
  CHECK(answer == json::object{{"active", false}});
}

// A token's claims re-signed with a key keymint never had (same kid).
std::string ForeignToken(const std::string& jwt) {
  const json::object header = JwtHeader(jwt);
  const json::object claims = JwtClaims(jwt);
  const std::string input = JwtSigningInput(header, claims);
  return input + "." + Base64UrlEncode(SignRs256(GenerateRsaPrivateKeyPem(2048), input));
}

struct Setup {
  KeymintProcess server;
  uint16_t port = server.port();
  std::string admin = AdminToken(port);
  CreatedKey client = CreateAccessKey(port, admin, "resource-server");
  CreatedKey other = CreateAccessKey(port, admin, "worker");

  explicit Setup(ProcessOptions options = {}) : server(std::move(options)) {}
};

}  // namespace

TEST_CASE("Introspection answers an active token's claims, no-store", "[integration]") {
  Setup s;
  const std::string token = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  const json::object claims = JwtClaims(token);
  const json::object answer = Introspection(Introspect(s.port, s.client, token));
  CHECK(answer.at("active") == true);
  CHECK(answer.at("token_type") == "Bearer");
  for (const char* name : {"iss", "sub", "aud", "iat", "exp", "jti", "client_id", "roles"}) {
    INFO(name);
    CHECK(answer.at(name) == claims.at(name));
  }
  CHECK(answer.at("client_id") == s.other.client_id.c_str());
  CHECK(answer.at("scope") == "System administrator");
  CHECK(answer.at("username") == kAdminEmail);
  CHECK(Introspect(s.port, s.client, token).Header("Pragma") == "no-cache");
}

TEST_CASE("Introspection answers active false for revoked, foreign and malformed tokens", "[integration]") {
  Setup s;
  const std::string token = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  CheckInactive(Introspect(s.port, s.client, ForeignToken(token)));
  CheckInactive(Introspect(s.port, s.client, TamperSignature(token)));
  CheckInactive(Introspect(s.port, s.client, "not-a-jwt"));
  CheckInactive(Introspect(s.port, s.client, ""));

  // The token's own client revokes it; from then on it is inactive.
  const HttpResponse revoked = Revoke(s.port, s.other, token);
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  CheckNoStore(revoked);
  CheckInactive(Introspect(s.port, s.client, token));
}

TEST_CASE("Introspection answers active false once a token has expired", "[integration]") {
  Setup s(WithEnv({{"KEYMINT_TOKEN_TTL", "1"}}));
  const std::string token = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  CHECK(Introspection(Introspect(s.port, s.client, token)).at("active") == true);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CheckInactive(Introspect(s.port, s.client, token));
  // Revoking an expired token is no error, and nothing to do (RFC 7009 §2.2).
  CHECK(Revoke(s.port, s.other, token).status == 200);
}

TEST_CASE("A revoked token is refused by the management API, also after a restart", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  options.extra_args = {"--issuer", "http://keymint.test"};  // the same issuer across the restart
  std::string token, kept;
  CreatedKey key;
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    key = CreateAccessKey(port, AdminToken(port), "revoker");
    token = ClientCredentialsToken(port, key.client_id, key.client_secret);
    kept = ClientCredentialsToken(port, key.client_id, key.client_secret);
    REQUIRE(Get(port, "/api/v1/access-keys", token).status == 200);

    REQUIRE(Revoke(port, key, token).status == 200);
    CHECK(Revoke(port, key, token).status == 200);  // again: still 200
    CheckError(Get(port, "/api/v1/access-keys", token), 401);
    CHECK(Get(port, "/api/v1/access-keys", kept).status == 200);  // only that token
    CHECK(server.Stop() == 0);
  }
  KeymintProcess server(options);
  // Loaded from the store, and counted once though revoked twice.
  CHECK(Get(server.port(), "/metrics").body.find("\nkeymint_revoked_tokens 1\n") != std::string::npos);
  CheckError(Get(server.port(), "/api/v1/access-keys", token), 401);
  CHECK(Get(server.port(), "/api/v1/access-keys", kept).status == 200);
  CheckInactive(Introspect(server.port(), key, token));
}

TEST_CASE("A client may revoke only its own tokens: another's is 400 unauthorized_client", "[integration]") {
  Setup s;
  const std::string token = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  CheckOAuthError(Revoke(s.port, s.client, token), 400, "unauthorized_client");
  CHECK(Get(s.port, "/api/v1/access-keys", token).status == 200);  // nothing was revoked
  // A user's password token was issued to no client.
  CheckOAuthError(Revoke(s.port, s.client, s.admin), 400, "unauthorized_client");
  // Not a keymint token at all: 200 and nothing to do.
  CHECK(Revoke(s.port, s.client, "not-a-jwt").status == 200);
}

TEST_CASE("Introspection and revocation authenticate the client exactly as /api/v2/token does", "[integration]") {
  Setup s;
  const std::string token = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  for (const char* path : {kIntrospect, kRevoke}) {
    INFO(path);
    const std::string form = "token=" + FormEncode(token);
    // Basic (client_secret_basic) works.
    const std::string basic =
        "Basic " + Base64Encode(FormEncode(s.client.client_id) + ":" + FormEncode(s.client.client_secret));
    if (std::string(path) == kIntrospect) {
      CHECK(Introspection(PostForm(s.port, path, form, {{"Authorization", basic}})).at("active") == true);
    }
    // A wrong secret by Basic: 401 invalid_client with the Basic challenge.
    const std::string wrong = "Basic " + Base64Encode(FormEncode(s.client.client_id) + ":wrong");
    const HttpResponse refused = PostForm(s.port, path, form, {{"Authorization", wrong}});
    CheckOAuthError(refused, 401, "invalid_client");
    CHECK(refused.Header("WWW-Authenticate") == R"(Basic realm="keymint")");
    // A wrong secret in the body: 401 invalid_client, no challenge.
    const HttpResponse posted =
        PostForm(s.port, path, form + "&client_id=" + FormEncode(s.client.client_id) + "&client_secret=wrong");
    CheckOAuthError(posted, 401, "invalid_client");
    CHECK(posted.Header("WWW-Authenticate").empty());
    // No client authentication, both methods, no token, not a form: 400 invalid_request.
    CheckOAuthError(PostForm(s.port, path, form), 400, "invalid_request");
    CheckOAuthError(PostForm(s.port, path, form + "&client_secret=x", {{"Authorization", basic}}), 400,
                    "invalid_request");
    CheckOAuthError(PostForm(s.port, path, ClientPost(s.client)), 400, "invalid_request");
    CheckOAuthError(Send(s.port, "POST", path, "{}", {{"Content-Type", "application/json"}}), 400, "invalid_request");
  }
  // Nothing above revoked the token.
  CHECK(Get(s.port, "/api/v1/access-keys", token).status == 200);
}

TEST_CASE("Both discovery documents advertise introspection and revocation", "[integration]") {
  KeymintProcess server;
  for (const char* path : {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
    INFO(path);
    const HttpResponse response = Get(server.port(), path);
    REQUIRE(response.status == 200);
    const json::object metadata = AsObject(response.Json());
    const std::string issuer = StringField(metadata, "issuer");
    CHECK(StringField(metadata, "introspection_endpoint") == issuer + kIntrospect);
    CHECK(StringField(metadata, "revocation_endpoint") == issuer + kRevoke);
    const json::array methods{"client_secret_basic", "client_secret_post"};
    CHECK(metadata.at("introspection_endpoint_auth_methods_supported") == methods);
    CHECK(metadata.at("revocation_endpoint_auth_methods_supported") == methods);
  }
}

TEST_CASE("A full deny list refuses a revocation with 503 temporarily_unavailable", "[integration]") {
  Setup s(WithEnv({{"KEYMINT_REVOCATION_MAX_ENTRIES", "1"}}));
  const std::string first = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  const std::string second = ClientCredentialsToken(s.port, s.other.client_id, s.other.client_secret);
  REQUIRE(Revoke(s.port, s.other, first).status == 200);
  const HttpResponse full = Revoke(s.port, s.other, second);
  CheckOAuthError(full, 503, "temporarily_unavailable");
  CHECK_FALSE(full.Header("Retry-After").empty());
  CHECK(Get(s.port, "/api/v1/access-keys", second).status == 200);  // not revoked, nothing evicted
  CheckError(Get(s.port, "/api/v1/access-keys", first), 401);
}

}  // namespace keymint::testing
