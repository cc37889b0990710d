// Bearer authentication and authorization of the management endpoints.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

constexpr const char* kProbe = "/api/v1/access-keys";  // any authenticated user may GET it

// CHECKs a 401 Error answer with a Bearer challenge.
void CheckUnauthorized(const HttpResponse& response) {
  CheckError(response, 401);
  INFO("WWW-Authenticate: " << response.Header("WWW-Authenticate"));
  CHECK(response.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
}

HttpResponse GetWithAuthorization(uint16_t port, const std::string& target, const std::string& authorization) {
  return Send(port, "GET", target, "", {{"Authorization", authorization}});
}

struct JwtParts {
  std::string header, payload, signature;  // still base64url
};

JwtParts Split(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  return {token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1)};
}

}  // namespace

TEST_CASE("management endpoints answer 401 with a Bearer challenge without a usable bearer token", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "probe-key");
  REQUIRE(Get(port, kProbe, admin).status == 200);

  const JwtParts parts = Split(admin);
  const std::vector<std::string> authorizations = {
      "Bearer",
      "Bearer ",
      "Bearer garbage",
      "Bearer a.b.c",
      "Bearer " + parts.header + "." + parts.payload,
      "Bearer " + parts.header + "." + parts.payload + ".",
      "Bearer " + admin + ".extra",
      "Bearer " + admin.substr(0, admin.size() - 4) + (admin.substr(admin.size() - 4) == "AAAA" ? "BBBB" : "AAAA"),
      "Token " + admin,
      admin,
      "Basic " + Base64Encode(key.client_id + ":" + key.client_secret),
      "Basic " + Base64Encode(std::string(kAdminEmail) + ":" + kAdminPassword),
  };
  for (const std::string& target :
       {std::string(kProbe), std::string("/api/v1/users"), std::string("/api/v1/authorization/roles"),
        std::string("/api/v1/administration/access-keys")}) {
    INFO("target " << target);
    {
      INFO("no Authorization header");
      CheckUnauthorized(Get(port, target));
    }
    for (const std::string& authorization : authorizations) {
      INFO("Authorization: " << authorization);
      CheckUnauthorized(GetWithAuthorization(port, target, authorization));
    }
  }
  {
    INFO("a write without a token changes nothing");
    CheckUnauthorized(PostJson(port, kProbe, json::object{{"name", "sneaky"}}));
    const HttpResponse list = Get(port, kProbe, admin);
    REQUIRE(list.status == 200);
    CHECK(list.body.find("sneaky") == std::string::npos);
  }
}

TEST_CASE("forged bearer tokens are rejected: alg none, HS256 with the public key, a foreign RSA key, tampering",
          "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser viewer = CreateUser(port, admin, "viewer@example.com", {"Viewer"});
  REQUIRE(Get(port, kProbe, viewer.token).status == 200);
  REQUIRE(Get(port, "/api/v1/users", viewer.token).status == 403);

  const json::object jwk = OnlyJwk(port);
  const std::string kid = StringField(jwk, "kid");
  const json::object header = JwtHeader(viewer.token);
  const json::object claims = JwtClaims(viewer.token);
  json::object admin_claims = claims;
  admin_claims["roles"] = json::array{"System administrator"};

  {
    INFO("alg none, empty signature");
    for (const char* alg : {"none", "None", "NONE"}) {
      INFO("alg " << alg);
      const json::object none_header{{"alg", alg}, {"typ", "JWT"}};
      CheckUnauthorized(Get(port, kProbe, JwtSigningInput(none_header, claims) + "."));
      CheckUnauthorized(Get(port, "/api/v1/users", JwtSigningInput(none_header, admin_claims) + "."));
      const json::object none_with_kid{{"alg", alg}, {"typ", "JWT"}, {"kid", kid}};
      CheckUnauthorized(Get(port, kProbe, JwtSigningInput(none_with_kid, claims) + "."));
    }
  }
  {
    INFO("HS256 keyed with the public modulus (algorithm confusion)");
    const json::object hs_header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}};
    const std::string input = JwtSigningInput(hs_header, claims);
    for (const std::string& secret :
         {Base64UrlDecode(StringField(jwk, "n")), StringField(jwk, "n"), json::serialize(jwk)}) {
      CheckUnauthorized(Get(port, kProbe, input + "." + Base64UrlEncode(HmacSha256(secret, input))));
    }
  }
  {
    INFO("RS256 signed by a different RSA key that claims the server's kid");
    const std::string foreign = GenerateRsaPrivateKeyPem();
    const std::string input = JwtSigningInput(header, claims);
    CheckUnauthorized(Get(port, kProbe, input + "." + Base64UrlEncode(SignRs256(foreign, input))));
    const std::string admin_input = JwtSigningInput(header, admin_claims);
    CheckUnauthorized(Get(port, "/api/v1/users", admin_input + "." + Base64UrlEncode(SignRs256(foreign, admin_input))));
  }
  {
    INFO("the real signature over tampered claims");
    const JwtParts parts = Split(viewer.token);
    CheckUnauthorized(Get(port, "/api/v1/users",
                          parts.header + "." + Base64UrlEncode(json::serialize(admin_claims)) + "." + parts.signature));
    json::object later = claims;
    later["exp"] = claims.at("exp").as_int64() + 100000;
    CheckUnauthorized(
        Get(port, kProbe, parts.header + "." + Base64UrlEncode(json::serialize(later)) + "." + parts.signature));
    json::object other_sub = claims;
    other_sub["sub"] = StringField(JwtClaims(admin), "sub");
    CheckUnauthorized(
        Get(port, kProbe, parts.header + "." + Base64UrlEncode(json::serialize(other_sub)) + "." + parts.signature));
  }
  {
    INFO("the real signature under a tampered header");
    const JwtParts parts = Split(viewer.token);
    json::object other_kid = header;
    other_kid["kid"] = "not-the-kid";
    CheckUnauthorized(
        Get(port, kProbe, Base64UrlEncode(json::serialize(other_kid)) + "." + parts.payload + "." + parts.signature));
  }
  {
    INFO("a token from another keymint with its own keys");
    KeymintProcess other;
    const std::string foreign_token = AdminToken(other.port());
    CheckUnauthorized(Get(port, kProbe, foreign_token));
    CheckUnauthorized(Get(port, "/api/v1/users", foreign_token));
  }
  // The genuine token still works after all that.
  CHECK(Get(port, kProbe, viewer.token).status == 200);
}

TEST_CASE("bearer tokens are bound to the server's issuer and audience", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  auto options = [&](const std::string& issuer, const std::string& audience) {
    ProcessOptions o;
    o.data_dir = data_dir.path;
    o.keys_dir = keys_dir.path;
    o.env["KEYMINT_ISSUER"] = issuer;
    o.env["KEYMINT_AUDIENCE"] = audience;
    return o;
  };
  const std::string iss = "https://issuer-one.example.test", aud = "https://audience-one.example.test";

  std::string token;
  {
    KeymintProcess first(options(iss, aud));
    token = AdminToken(first.port());
    REQUIRE(Get(first.port(), kProbe, token).status == 200);
    REQUIRE(first.Stop() == 0);
  }
  {
    INFO("same keys, store, issuer and audience after a restart: accepted");
    KeymintProcess same(options(iss, aud));
    CHECK(Get(same.port(), kProbe, token).status == 200);
  }
  {
    INFO("another issuer, same audience: rejected");
    KeymintProcess other_issuer(options("https://issuer-two.example.test", aud));
    CheckUnauthorized(Get(other_issuer.port(), kProbe, token));
  }
  {
    INFO("same issuer, another audience: rejected");
    KeymintProcess other_audience(options(iss, "https://audience-two.example.test"));
    CheckUnauthorized(Get(other_audience.port(), kProbe, token));
  }
  {
    INFO("default issuer and audience (http://127.0.0.1:<port>) on the same dirs: rejected");
    ProcessOptions o;
    o.data_dir = data_dir.path;
    o.keys_dir = keys_dir.path;
    KeymintProcess defaults(o);
    CheckUnauthorized(Get(defaults.port(), kProbe, token));
  }
}

TEST_CASE("a token issued by a previous run on another port is refused for its issuer", "[integration]") {
  // The same keys and store, so only iss/aud (derived from the port) differ.
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  std::string token;
  uint16_t first_port = 0;
  {
    KeymintProcess first(options);
    first_port = first.port();
    token = AdminToken(first_port);
    REQUIRE(first.Stop() == 0);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    KeymintProcess second(options);
    if (second.port() == first_port) continue;  // the kernel reused the port; try again
    CHECK(StringField(JwtClaims(token), "iss") == "http://127.0.0.1:" + std::to_string(first_port));
    CheckUnauthorized(Get(second.port(), kProbe, token));
    return;
  }
  FAIL("the ephemeral port was the same three times");
}

TEST_CASE("a bearer token is refused from its exp on", "[integration][slow]") {
  // A short lifetime (the setting allows 1 s and up): the test waits for it in real time.
  ProcessOptions options;
  options.env["KEYMINT_TOKEN_TTL"] = "5";
  KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string token = AdminToken(port);
  const json::object claims = JwtClaims(token);
  const int64_t exp = claims.at("exp").as_int64();
  CHECK(exp == claims.at("iat").as_int64() + 5);
  REQUIRE(Get(port, kProbe, token).status == 200);

  const auto exp_time = std::chrono::system_clock::time_point(std::chrono::seconds(exp));
  std::this_thread::sleep_until(exp_time - std::chrono::seconds(3));
  {
    INFO("3 s before exp: still accepted");
    CHECK(Get(port, kProbe, token).status == 200);
  }
  std::this_thread::sleep_until(exp_time + std::chrono::milliseconds(2100));
  {
    INFO("past exp plus the allowed 1 s of leeway: refused");
    CheckUnauthorized(Get(port, kProbe, token));
  }
}

TEST_CASE("permissions come from the caller's current roles in the store, not from the token", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser viewer = CreateUser(port, admin, "viewer@example.com", {"Viewer"});
  const CreatedUser deputy = CreateUser(port, admin, "deputy@example.com", {"System administrator"});

  {
    INFO("a Viewer may use its own endpoints and the role catalog");
    CHECK(Get(port, kProbe, viewer.token).status == 200);
    const HttpResponse roles = Get(port, "/api/v1/authorization/roles", viewer.token);
    INFO("roles: " << roles.status << " " << roles.body);
    REQUIRE(roles.status == 200);
    const json::value catalog = roles.Json();
    REQUIRE(catalog.is_array());
    std::set<std::string> names;
    for (const json::value& role : catalog.as_array()) {
      REQUIRE(role.is_object());
      CHECK(Keys(role.as_object()) == std::vector<std::string>{"description", "id", "name"});
      names.insert(StringField(role.as_object(), "name"));
    }
    for (const char* expected : {"System administrator", "Department administrator", "Research manager",
                                 "L1 researcher", "L2 researcher", "ML engineer", "Editor", "Viewer"}) {
      INFO("role " << expected);
      CHECK(names.count(expected) == 1);
    }
  }
  {
    INFO("a Viewer gets 403 on admin endpoints");
    CheckError(Get(port, "/api/v1/users", viewer.token), 403);
    CheckError(Get(port, "/api/v1/users/" + deputy.id, viewer.token), 403);
    CheckError(PostJson(port, "/api/v1/users",
                        json::object{{"email", "x@example.com"}, {"roles", json::array{"Viewer"}}}, viewer.token),
               403);
    CheckError(PutJson(port, "/api/v1/users/" + viewer.id + "/roles",
                       json::object{{"roles", json::array{"System administrator"}}}, viewer.token),
               403);
    CheckError(Get(port, "/api/v1/administration/access-keys", viewer.token), 403);
    CheckError(Delete(port, "/api/v1/users/" + deputy.id, viewer.token), 403);
  }
  {
    INFO("a client-credentials token acts as its owner");
    const CreatedKey key = CreateAccessKey(port, viewer.token, "viewer-key");
    const std::string key_token = ClientCredentialsToken(port, key.client_id, key.client_secret);
    REQUIRE_FALSE(key_token.empty());
    const HttpResponse own = Get(port, kProbe, key_token);
    CHECK(own.status == 200);
    CHECK(own.body.find(key.client_id) != std::string::npos);
    CheckError(Get(port, "/api/v1/users", key_token), 403);
  }
  {
    INFO("a System administrator demoted to Viewer loses admin rights with the access-key token it already has");
    const CreatedKey key = CreateAccessKey(port, deputy.token, "deputy-key");
    const std::string key_token = ClientCredentialsToken(port, key.client_id, key.client_secret);
    REQUIRE(Get(port, "/api/v1/users", key_token).status == 200);
    const HttpResponse demote =
        PutJson(port, "/api/v1/users/" + deputy.id + "/roles", json::object{{"roles", json::array{"Viewer"}}}, admin);
    INFO("demote: " << demote.status << " " << demote.body);
    REQUIRE(demote.status == 200);
    CheckError(Get(port, "/api/v1/users", key_token), 403);
    CHECK(Get(port, kProbe, key_token).status == 200);
    // Losing System administrator ends the password session outright (sessions_test.cpp).
    CheckUnauthorized(Get(port, kProbe, deputy.token));
  }
  {
    INFO("a Viewer promoted to System administrator gains them with its old token");
    const HttpResponse promote = PutJson(port, "/api/v1/users/" + viewer.id + "/roles",
                                         json::object{{"roles", json::array{"System administrator"}}}, admin);
    REQUIRE(promote.status == 200);
    CHECK(Get(port, "/api/v1/users", viewer.token).status == 200);
  }
}

}  // namespace keymint::testing
