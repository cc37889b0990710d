// JWKS and the two discovery documents, and the proof that a stock client can
// discover keymint, get a token and verify it with nothing but the JWKS.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

const std::vector<std::string> kMetadataPaths = {"/.well-known/openid-configuration",
                                                 "/.well-known/oauth-authorization-server"};

// CHECKs the exact JWKS shape and returns its keys.
std::vector<json::object> CheckJwks(const HttpResponse& response) {
  INFO("JWKS: " << response.status << " " << response.body);
  const json::object body = CheckJsonObject(response, 200, {"keys"});
  REQUIRE(body.contains("keys"));
  REQUIRE(body.at("keys").is_array());
  std::vector<json::object> keys;
  std::set<std::string> kids;
  for (const json::value& key : body.at("keys").as_array()) {
    REQUIRE(key.is_object());
    const json::object& jwk = key.as_object();
    CHECK(Keys(jwk) == std::vector<std::string>{"alg", "e", "kid", "kty", "n", "use"});
    CHECK(StringField(jwk, "kty") == "RSA");
    CHECK(StringField(jwk, "use") == "sig");
    CHECK(StringField(jwk, "alg") == "RS256");
    const std::string n = StringField(jwk, "n"), e = StringField(jwk, "e");
    const std::string modulus = Base64UrlDecode(n);
    CHECK(modulus.size() == 256);  // RSA-2048, no leading zero byte (RFC 7518 §6.3.1.1)
    CHECK(e == "AQAB");
    CHECK(StringField(jwk, "kid") == RsaThumbprint(n, e));
    kids.insert(StringField(jwk, "kid"));
    keys.push_back(jwk);
  }
  CHECK(kids.size() == keys.size());
  return keys;
}

// CHECKs a metadata document against `issuer` and returns it.
json::object CheckMetadata(uint16_t port, const std::string& path, const std::string& issuer) {
  const HttpResponse response = Get(port, path);
  INFO(path << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const json::value body = response.Json();
  REQUIRE(body.is_object());
  const json::object& doc = body.as_object();
  CHECK(StringField(doc, "issuer") == issuer);
  CHECK(StringField(doc, "token_endpoint") == issuer + "/api/v2/token");
  CHECK(StringField(doc, "jwks_uri").rfind(issuer, 0) == 0);
  const std::set<std::string> grants = StringSetField(doc, "grant_types_supported");
  CHECK(grants.count("client_credentials") == 1);
  CHECK(grants.count("password") == 1);
  const std::set<std::string> auth_methods = StringSetField(doc, "token_endpoint_auth_methods_supported");
  CHECK(auth_methods.count("client_secret_basic") == 1);
  CHECK(auth_methods.count("client_secret_post") == 1);
  StringSetField(doc, "response_types_supported");
  CHECK_FALSE(StringSetField(doc, "subject_types_supported").empty());
  CHECK(StringSetField(doc, "id_token_signing_alg_values_supported").count("RS256") == 1);
  return doc;
}

// The path part of an absolute http URL.
std::string PathOf(const std::string& url) {
  const auto scheme_end = url.find("://");
  REQUIRE(scheme_end != std::string::npos);
  const auto path_start = url.find('/', scheme_end + 3);
  return path_start == std::string::npos ? "/" : url.substr(path_start);
}

// Verifies `token` the way a stock client does: pick the JWKS key by kid,
// check alg, verify the RS256 signature.
bool VerifyWithJwks(const std::string& token, const std::vector<json::object>& keys) {
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  REQUIRE(first_dot != std::string::npos);
  REQUIRE(second_dot != std::string::npos);
  const json::object header = JwtHeader(token);
  if (StringField(header, "alg") != "RS256") return false;
  const std::string kid = StringField(header, "kid");
  for (const json::object& jwk : keys) {
    if (StringField(jwk, "kid") != kid) continue;
    return VerifyRs256(StringField(jwk, "n"), StringField(jwk, "e"), token.substr(0, second_dot),
                       Base64UrlDecode(token.substr(second_dot + 1)));
  }
  return false;
}

}  // namespace

TEST_CASE("JWKS publishes exactly one RS256 signing key with an RFC 7638 kid", "[integration]") {
  KeymintProcess server;
  const std::vector<json::object> keys = CheckJwks(Get(server.port(), "/.well-known/jwks.json"));
  CHECK(keys.size() == 1);
}

TEST_CASE("both discovery documents describe the issuer, token endpoint and JWKS", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string issuer = "http://127.0.0.1:" + std::to_string(port);
  for (const std::string& path : kMetadataPaths) {
    const json::object doc = CheckMetadata(port, path, issuer);
    INFO("jwks_uri of " << path);
    const std::vector<json::object> keys = CheckJwks(Get(port, PathOf(StringField(doc, "jwks_uri"))));
    CHECK(keys.size() == 1);
  }
}

TEST_CASE("a client that knows only the discovery URL gets a token and verifies it against the JWKS", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const json::object doc =
      CheckMetadata(port, "/.well-known/openid-configuration", "http://127.0.0.1:" + std::to_string(port));
  const std::vector<json::object> keys = CheckJwks(Get(port, PathOf(StringField(doc, "jwks_uri"))));

  // Set-up: an access key (needs the admin's management token).
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "stock-client");

  const HttpResponse response = PostForm(
      port, PathOf(StringField(doc, "token_endpoint")), "grant_type=client_credentials",
      {{"Authorization", "Basic " + Base64Encode(FormEncode(key.client_id) + ":" + FormEncode(key.client_secret))}});
  INFO("token: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const std::string token = StringField(response.Json().as_object(), "access_token");

  CHECK(VerifyWithJwks(token, keys));
  CHECK(VerifyWithJwks(admin, keys));
  CHECK(VerifyWithJwks(ClientCredentialsToken(port, key.client_id, key.client_secret), keys));
  {
    INFO("the verifier is not a rubber stamp: a flipped signature bit fails");
    const auto dot = token.rfind('.');
    std::string signature = Base64UrlDecode(token.substr(dot + 1));
    signature[signature.size() / 2] = static_cast<char>(signature[signature.size() / 2] ^ 0x01);
    CHECK_FALSE(VerifyWithJwks(token.substr(0, dot + 1) + Base64UrlEncode(signature), keys));
  }
}

TEST_CASE("KEYMINT_ISSUER and KEYMINT_AUDIENCE flow into tokens and discovery", "[integration]") {
  const std::string issuer = "https://auth.example.test/keymint";
  const std::string audience = "https://api.example.test";
  ProcessOptions options;
  options.env["KEYMINT_ISSUER"] = issuer;
  options.env["KEYMINT_AUDIENCE"] = audience;
  KeymintProcess server(options);
  const uint16_t port = server.port();

  for (const std::string& path : kMetadataPaths) CheckMetadata(port, path, issuer);

  const std::string admin = AdminToken(port);
  const json::object claims = JwtClaims(admin);
  CHECK(StringField(claims, "iss") == issuer);
  CHECK(StringField(claims, "aud") == audience);
  {
    INFO("the server accepts its own tokens under a configured issuer and audience");
    CHECK(Get(port, "/api/v1/access-keys", admin).status == 200);
  }
  const CreatedKey key = CreateAccessKey(port, admin, "aud-key");
  const json::object key_claims = JwtClaims(ClientCredentialsToken(port, key.client_id, key.client_secret));
  CHECK(StringField(key_claims, "iss") == issuer);
  CHECK(StringField(key_claims, "aud") == audience);
}

TEST_CASE("the --issuer flag wins over KEYMINT_ISSUER and the audience defaults to the issuer", "[integration]") {
  const std::string flag_issuer = "https://flag.example.test";
  ProcessOptions options;
  options.env["KEYMINT_ISSUER"] = "https://env.example.test";
  options.extra_args = {"--issuer", flag_issuer};
  KeymintProcess server(options);
  const uint16_t port = server.port();

  for (const std::string& path : kMetadataPaths) CheckMetadata(port, path, flag_issuer);
  const json::object claims = JwtClaims(AdminToken(port));
  CHECK(StringField(claims, "iss") == flag_issuer);
  CHECK(StringField(claims, "aud") == flag_issuer);
}

TEST_CASE("a newer key file in the keys directory becomes active and the old key stays in the JWKS", "[integration]") {
  const ScopedTempDir data_dir, keys_dir_holder;
  const std::string& keys_dir = keys_dir_holder.path;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir;
  // A fixed issuer, so a token minted before the restart is still valid after it.
  options.env["KEYMINT_ISSUER"] = "https://rotation.example.test";

  std::string old_kid, old_token;
  {
    KeymintProcess first(options);
    const std::vector<json::object> keys = CheckJwks(Get(first.port(), "/.well-known/jwks.json"));
    REQUIRE(keys.size() == 1);
    old_kid = StringField(keys[0], "kid");
    old_token = AdminToken(first.port());
    CHECK(first.Stop() == 0);
  }
  const std::vector<std::string> existing = PemFiles(keys_dir);
  REQUIRE(existing.size() == 1);
  INFO("first key file: " << existing[0]);

  const std::string pem = GenerateRsaPrivateKeyPem();
  std::string n, e;
  RsaPublicNumbers(pem, &n, &e);
  const std::string new_kid = RsaThumbprint(n, e);
  const std::string new_path = keys_dir + "/signing-99999999T999999.pem";
  {
    std::ofstream out(new_path, std::ios::binary);
    out << pem;
  }
  REQUIRE(chmod(new_path.c_str(), 0600) == 0);

  {
    ProcessOptions same = options;
    KeymintProcess second(same);
    const uint16_t port = second.port();
    const std::vector<json::object> keys = CheckJwks(Get(port, "/.well-known/jwks.json"));
    std::set<std::string> kids;
    for (const json::object& jwk : keys) kids.insert(StringField(jwk, "kid"));
    CHECK(kids == std::set<std::string>{old_kid, new_kid});

    const std::string admin = AdminToken(port);
    CHECK(StringField(JwtHeader(admin), "kid") == new_kid);
    CHECK(VerifyWithJwks(admin, keys));
    // A token minted with the old key before the restart is still in circulation:
    // it verifies against the published JWKS and the server still accepts it.
    CHECK(StringField(JwtHeader(old_token), "kid") == old_kid);
    CHECK(VerifyWithJwks(old_token, keys));
    CHECK(Get(port, "/api/v1/access-keys", old_token).status == 200);
    CHECK(second.Stop() == 0);
  }
}

}  // namespace keymint::testing
