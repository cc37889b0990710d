// The opt-in signing algorithms (--signing-algorithm / KEYMINT_SIGNING_ALGORITHM):
// ES256 and EdDSA keys in the JWKS, tokens from both token endpoints signed
// with them and verified here from the served JWKS alone (with OpenSSL, not
// keymint's code), accepted by the management API, advertised by discovery;
// and a keys directory switched from RS256 to ES256 that keeps the old key.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/token_forms.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

const std::vector<std::string> kMetadataPaths = {"/.well-known/openid-configuration",
                                                 "/.well-known/oauth-authorization-server"};

std::vector<json::object> JwksKeys(uint16_t port) {
  const json::object jwks = FetchJwks(port);
  CHECK(Keys(jwks) == std::vector<std::string>{"keys"});
  std::vector<json::object> keys;
  for (const json::value& key : AsArray(jwks.at("keys"))) keys.push_back(AsObject(key));
  return keys;
}

// CHECKs one JWKS entry against the exact shape of its algorithm: RFC 7518
// §6 members, RFC 8037 §2 for OKP, and the RFC 7638 thumbprint as kid.
void CheckJwk(const json::object& jwk) {
  INFO("JWK: " << json::serialize(jwk));
  CHECK(StringField(jwk, "use") == "sig");
  const std::string kty = StringField(jwk, "kty"), alg = StringField(jwk, "alg");
  if (kty == "EC") {
    CHECK(Keys(jwk) == std::vector<std::string>{"alg", "crv", "kid", "kty", "use", "x", "y"});
    CHECK(alg == "ES256");
    CHECK(StringField(jwk, "crv") == "P-256");
    const std::string x = StringField(jwk, "x"), y = StringField(jwk, "y");
    CHECK(Base64UrlDecode(x).size() == 32);
    CHECK(Base64UrlDecode(y).size() == 32);
    CHECK(StringField(jwk, "kid") == EcThumbprint(x, y));
  } else if (kty == "OKP") {
    CHECK(Keys(jwk) == std::vector<std::string>{"alg", "crv", "kid", "kty", "use", "x"});
    CHECK(alg == "EdDSA");
    CHECK(StringField(jwk, "crv") == "Ed25519");
    const std::string x = StringField(jwk, "x");
    CHECK(Base64UrlDecode(x).size() == 32);
    CHECK(StringField(jwk, "kid") == OkpThumbprint(x));
  } else {
    CHECK(kty == "RSA");
    CHECK(Keys(jwk) == std::vector<std::string>{"alg", "e", "kid", "kty", "n", "use"});
    CHECK(alg == "RS256");
    CHECK(StringField(jwk, "kid") == RsaThumbprint(StringField(jwk, "n"), StringField(jwk, "e")));
  }
}

// Verifies `token` as a stock client does with nothing but the JWKS: the key
// its kid names, whose "alg" must be the header's, and that key's signature check.
bool VerifiesAgainst(const std::string& token, const std::vector<json::object>& keys) {
  const auto second_dot = token.rfind('.');
  REQUIRE(second_dot != std::string::npos);
  const json::object header = JwtHeader(token);
  for (const json::object& jwk : keys) {
    if (StringField(jwk, "kid") != StringField(header, "kid")) continue;
    if (StringField(jwk, "alg") != StringField(header, "alg")) return false;
    return VerifyWithJwk(jwk, token.substr(0, second_dot), Base64UrlDecode(token.substr(second_dot + 1)));
  }
  return false;
}

// The signature of a compact JWS, decoded.
std::string SignatureOf(const std::string& token) { return Base64UrlDecode(token.substr(token.rfind('.') + 1)); }

// `token` with its header replaced by `header_json` (payload and signature kept).
std::string WithHeader(const std::string& token, const std::string& header_json) {
  return Base64UrlEncode(header_json) + token.substr(token.find('.'));
}

std::vector<std::string> AdvertisedAlgorithms(uint16_t port, const std::string& path) {
  const HttpResponse response = Get(port, path);
  INFO(path << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return StringArrayField(AsObject(response.Json()), "id_token_signing_alg_values_supported");
}

// The token of a successful exchange in `form`.
std::string MintAs(TokenForm form, uint16_t port, const CreatedKey& key) {
  const HttpResponse response = ExchangeAs(form, port, key.client_id, key.client_secret);
  INFO(Describe(form) << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const json::object body = AsObject(response.Json());
  return StringField(body, body.contains("access_token") ? "access_token" : "accessToken");
}

// A server started with `--signing-algorithm alg` on empty directories: one
// key of that algorithm, advertised; tokens from every endpoint and form
// signed with it, verifiable from the JWKS and accepted by the management API;
// forgeries refused.
void CheckServerSignsWith(const std::string& alg, const std::string& signature_kty) {
  ProcessOptions options;
  options.extra_args = {"--signing-algorithm", alg};
  KeymintProcess server(options);
  const uint16_t port = server.port();

  const std::vector<json::object> keys = JwksKeys(port);
  REQUIRE(keys.size() == 1);
  CheckJwk(keys[0]);
  CHECK(StringField(keys[0], "kty") == signature_kty);
  CHECK(StringField(keys[0], "alg") == alg);
  const std::string kid = StringField(keys[0], "kid");
  CHECK(PemFiles(server.keys_dir()).size() == 1);
  for (const std::string& path : kMetadataPaths) {
    INFO(path);
    CHECK(AdvertisedAlgorithms(port, path) == std::vector<std::string>{alg});
  }

  const std::string admin = AdminToken(port);
  const json::object admin_header = JwtHeader(admin);
  CHECK(StringField(admin_header, "alg") == alg);
  CHECK(StringField(admin_header, "typ") == "JWT");
  CHECK(StringField(admin_header, "kid") == kid);
  CHECK(VerifiesAgainst(admin, keys));
  CHECK(Get(port, "/api/v1/users", admin).status == 200);

  const CreatedKey key = CreateAccessKey(port, admin, "signing-" + Lower(alg));
  for (TokenForm form : kAllTokenForms) {
    INFO(Describe(form));
    const std::string token = MintAs(form, port, key);
    CHECK(StringField(JwtHeader(token), "alg") == alg);
    CHECK(StringField(JwtHeader(token), "kid") == kid);
    CHECK(SignatureOf(token).size() == 64);
    CHECK(VerifiesAgainst(token, keys));
    CHECK_FALSE(VerifiesAgainst(TamperSignature(token), keys));
    CHECK(Get(port, "/api/v1/access-keys", token).status == 200);
  }

  const std::string token = ClientCredentialsToken(port, key.client_id, key.client_secret);
  INFO("forgeries of " << token);
  CHECK(Get(port, "/api/v1/access-keys", TamperSignature(token)).status == 401);
  // The same signature under a header that names another algorithm, or none.
  for (const std::string& other : {std::string("RS256"), std::string(alg == "ES256" ? "EdDSA" : "ES256")}) {
    CHECK(Get(port, "/api/v1/access-keys", WithHeader(token, R"({"alg":")" + other + R"(","kid":")" + kid + R"("})"))
              .status == 401);
  }
  CHECK(Get(port, "/api/v1/access-keys",
            Base64UrlEncode(R"({"alg":"none","kid":")" + kid + R"("})") +
                token.substr(token.find('.'), token.rfind('.') - token.find('.') + 1))
            .status == 401);
  CHECK(server.Stop() == 0);
}

}  // namespace

TEST_CASE("with --signing-algorithm ES256 keymint publishes a P-256 key and its ES256 tokens verify and authenticate",
          "[integration]") {
  CheckServerSignsWith("ES256", "EC");
}

TEST_CASE(
    "with --signing-algorithm EdDSA keymint publishes an Ed25519 key and its EdDSA tokens verify and "
    "authenticate",
    "[integration]") {
  CheckServerSignsWith("EdDSA", "OKP");
}

TEST_CASE("switching a keys directory from RS256 to ES256 keeps the RSA key published and its tokens accepted",
          "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  // A fixed issuer, so tokens minted before a restart are still valid after it.
  options.env["KEYMINT_ISSUER"] = "https://signing-switch.example.test";

  std::string rsa_kid, rsa_token;
  {
    KeymintProcess first(options);  // the default: RS256
    const std::vector<json::object> keys = JwksKeys(first.port());
    REQUIRE(keys.size() == 1);
    CheckJwk(keys[0]);
    rsa_kid = StringField(keys[0], "kid");
    for (const std::string& path : kMetadataPaths) {
      CHECK(AdvertisedAlgorithms(first.port(), path) == std::vector<std::string>{"RS256"});
    }
    rsa_token = AdminToken(first.port());
    CHECK(StringField(JwtHeader(rsa_token), "alg") == "RS256");
    CHECK(first.Stop() == 0);
  }

  std::string ec_kid;
  {
    ProcessOptions es256 = options;
    es256.env["KEYMINT_SIGNING_ALGORITHM"] = "ES256";
    KeymintProcess second(es256);
    const uint16_t port = second.port();
    CHECK(second.StderrText().find("generated a signing key") != std::string::npos);
    const std::vector<json::object> keys = JwksKeys(port);
    REQUIRE(keys.size() == 2);
    for (const json::object& jwk : keys) CheckJwk(jwk);
    std::set<std::string> kinds;
    for (const json::object& jwk : keys) {
      kinds.insert(StringField(jwk, "kty"));
      if (StringField(jwk, "kty") == "EC") ec_kid = StringField(jwk, "kid");
    }
    CHECK(kinds == std::set<std::string>{"EC", "RSA"});
    CHECK(PemFiles(keys_dir.path).size() == 2);
    for (const std::string& path : kMetadataPaths) {
      INFO(path);
      CHECK(AdvertisedAlgorithms(port, path) == std::vector<std::string>{"ES256", "RS256"});
    }

    // New tokens are ES256, from the new key.
    const std::string admin = AdminToken(port);
    CHECK(StringField(JwtHeader(admin), "alg") == "ES256");
    CHECK(StringField(JwtHeader(admin), "kid") == ec_kid);
    CHECK(VerifiesAgainst(admin, keys));
    const CreatedKey key = CreateAccessKey(port, admin, "after-switch");
    for (TokenForm form : {TokenForm::kV1ClientCredentials, TokenForm::kV2Basic}) {
      INFO(Describe(form));
      const std::string token = MintAs(form, port, key);
      CHECK(StringField(JwtHeader(token), "alg") == "ES256");
      CHECK(VerifiesAgainst(token, keys));
      CHECK(Get(port, "/api/v1/access-keys", token).status == 200);
    }
    // The RS256 token minted before the switch still verifies against the
    // JWKS and is still accepted.
    CHECK(StringField(JwtHeader(rsa_token), "kid") == rsa_kid);
    CHECK(VerifiesAgainst(rsa_token, keys));
    CHECK(Get(port, "/api/v1/access-keys", rsa_token).status == 200);
    CHECK(second.Stop() == 0);
  }

  {
    INFO("back to RS256: the RSA key signs again, nothing is generated, the EC key stays published");
    KeymintProcess third(options);
    const uint16_t port = third.port();
    CHECK(JwksKeys(port).size() == 2);
    CHECK(PemFiles(keys_dir.path).size() == 2);
    CHECK(AdvertisedAlgorithms(port, "/.well-known/openid-configuration") ==
          std::vector<std::string>{"RS256", "ES256"});
    const std::string admin = AdminToken(port);
    CHECK(StringField(JwtHeader(admin), "alg") == "RS256");
    CHECK(StringField(JwtHeader(admin), "kid") == rsa_kid);
    CHECK(third.Stop() == 0);
  }
}

TEST_CASE("an unknown signing algorithm stops start-up with one line naming the setting", "[integration]") {
  const CommandResult flag = RunKeymint({"serve", "--listen", "127.0.0.1:0", "--signing-algorithm", "HS256"});
  CHECK(flag.exit_code == 2);
  CHECK(flag.output.find("--signing-algorithm") != std::string::npos);
  CHECK(flag.output.find("RS256, ES256 or EdDSA") != std::string::npos);
  const CommandResult env = RunKeymint({"serve", "--listen", "127.0.0.1:0"}, {{"KEYMINT_SIGNING_ALGORITHM", "es256"}});
  CHECK(env.exit_code == 2);
  CHECK(env.output.find("KEYMINT_SIGNING_ALGORITHM") != std::string::npos);
}

}  // namespace keymint::testing
