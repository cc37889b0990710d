// Signing-key rotation without downtime (README "Signing-key rotation"):
// GET /api/v1/signing-keys and POST /api/v1/signing-keys/rotate (admin only),
// the JWKS across a rotation (checked with OpenSSL, as a stock verifier
// would), tokens minted before it that keep working until their key leaves,
// the publish delay, a restart, and key files adopted on SIGHUP.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

constexpr const char* kSigningKeys = "/api/v1/signing-keys";
constexpr const char* kRotate = "/api/v1/signing-keys/rotate";
const std::vector<std::string> kSigningKeyMembers = {"alg", "createdAt", "kid", "state"};

// GET /api/v1/signing-keys as `token`: REQUIREs 200 and {"signingKeys":[...]},
// CHECKs each entry's shape; returns kid -> state.
std::map<std::string, std::string> KeyStates(uint16_t port, const std::string& token) {
  const json::object body = CheckJsonObject(Get(port, kSigningKeys, token), 200, {"signingKeys"});
  std::map<std::string, std::string> states;
  for (const json::value& item : AsArray(body.at("signingKeys"))) {
    const json::object& key = AsObject(item);
    CHECK(Keys(key) == kSigningKeyMembers);
    CHECK(StringField(key, "alg") == "RS256");
    CHECK(IsTimestamp(StringField(key, "createdAt")));
    states[StringField(key, "kid")] = StringField(key, "state");
  }
  return states;
}

// The kids the JWKS publishes.
std::vector<std::string> JwksKids(uint16_t port) {
  std::vector<std::string> kids;
  const json::object jwks = FetchJwks(port);  // kept: the loop reads into it
  for (const json::value& key : AsArray(jwks.at("keys"))) kids.push_back(StringField(AsObject(key), "kid"));
  return kids;
}

bool Contains(const std::vector<std::string>& kids, const std::string& kid) {
  return std::find(kids.begin(), kids.end(), kid) != kids.end();
}

// Verifies `jwt` the way a stock client does: the JWKS entry named by its kid, and that key's signature.
bool VerifiesAgainstJwks(uint16_t port, const std::string& jwt) {
  const std::string kid = StringField(JwtHeader(jwt), "kid");
  const auto dot = jwt.rfind('.');
  const json::object jwks = FetchJwks(port);
  for (const json::value& key : AsArray(jwks.at("keys"))) {
    const json::object& jwk = AsObject(key);
    if (StringField(jwk, "kid") == kid) {
      return VerifyWithJwk(jwk, jwt.substr(0, dot), Base64UrlDecode(jwt.substr(dot + 1)));
    }
  }
  return false;
}

std::string Kid(const std::string& jwt) { return StringField(JwtHeader(jwt), "kid"); }

// Rotates as `admin`: REQUIREs 201 with a signing-key object; returns it.
json::object Rotate(uint16_t port, const std::string& admin) {
  const HttpResponse rotated = Send(port, "POST", kRotate, "", {{"Authorization", "Bearer " + admin}});
  return CheckJsonObject(rotated, 201, kSigningKeyMembers);
}

// Polls keymint's stderr for `text` for up to 5 s.
bool WaitForLog(const KeymintProcess& server, const std::string& text) {
  return !PollUntilNonEmpty([&] { return server.StderrText().find(text) != std::string::npos ? "found" : ""; },
                            std::chrono::seconds(5), std::chrono::milliseconds(20))
              .empty();
}

void WriteKeyFile(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
  ::chmod(path.c_str(), 0600);
}

TEST_CASE("Only a System administrator lists or rotates the signing keys", "[integration][signing-keys]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const CreatedUser viewer = CreateUser(port, AdminToken(port), "viewer@example.com");

  CheckError(Get(port, kSigningKeys), 401);
  CheckError(Send(port, "POST", kRotate), 401);
  CheckError(Get(port, kSigningKeys, "not-a-jwt"), 401);
  CheckError(Get(port, kSigningKeys, viewer.token), 403);
  CheckError(Send(port, "POST", kRotate, "", {{"Authorization", "Bearer " + viewer.token}}), 403);
  // Nothing was rotated by the refused calls.
  CHECK(JwksKids(port).size() == 1);
}

TEST_CASE("A rotation signs new tokens with the new key while tokens minted before it keep working",
          "[integration][signing-keys]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string before = AdminToken(port);
  const std::string old_kid = Kid(before);

  CHECK(KeyStates(port, before) == std::map<std::string, std::string>{{old_kid, "active"}});
  // No publish delay: nothing to cache.
  CHECK(Get(port, "/.well-known/jwks.json").Header("Cache-Control") == "public, max-age=0");

  const json::object created = Rotate(port, before);
  const std::string new_kid = StringField(created, "kid");
  CHECK(new_kid != old_kid);
  CHECK(StringField(created, "state") == "active");  // no delay: it signs at once

  CHECK(KeyStates(port, before) == std::map<std::string, std::string>{{old_kid, "retired"}, {new_kid, "active"}});
  const std::vector<std::string> kids = JwksKids(port);
  CHECK(Contains(kids, old_kid));
  CHECK(Contains(kids, new_kid));
  // The token minted before the rotation still verifies and still works.
  CHECK(VerifiesAgainstJwks(port, before));
  CHECK(Get(port, kSigningKeys, before).status == 200);

  const std::string after = AdminToken(port);
  CHECK(Kid(after) == new_kid);
  CHECK(VerifiesAgainstJwks(port, after));
  CHECK(PemFiles(server.keys_dir()).size() == 2);

  // The rotation is in the audit log: the admin rotated, the new kid is the target.
  const json::array entries =
      Get(port, "/api/v1/audit-logs?action=signing_key.rotate", after).Json().as_object().at("auditLogs").as_array();
  REQUIRE(entries.size() == 1);
  CHECK(StringField(entries[0].as_object(), "target") == new_kid);
  CHECK(StringField(entries[0].as_object(), "actor") == kAdminEmail);
  CHECK(StringField(entries[0].as_object(), "outcome") == "success");
}

TEST_CASE("A retired key leaves the JWKS, the list and the keys directory once its tokens have expired",
          "[integration][signing-keys]") {
  KeymintProcess server(WithEnv({{"KEYMINT_TOKEN_TTL", "2"}}));
  const uint16_t port = server.port();
  const std::string old_kid = Kid(AdminToken(port));
  const std::string new_kid = StringField(Rotate(port, AdminToken(port)), "kid");
  CHECK(Contains(JwksKids(port), old_kid));

  // TTL 2 s (+1 s of leeway) after it retired.
  const std::string gone =
      PollUntilNonEmpty([&] { return Contains(JwksKids(port), old_kid) ? "" : "gone"; }, std::chrono::seconds(8));
  CHECK(gone == "gone");
  CHECK(JwksKids(port) == std::vector<std::string>{new_kid});
  CHECK(KeyStates(port, AdminToken(port)) == std::map<std::string, std::string>{{new_kid, "active"}});
  CHECK(PemFiles(server.keys_dir()).size() == 1);
}

TEST_CASE("A publish delay keeps a rotated key next, and tokens on the old key, until it passes",
          "[integration][signing-keys]") {
  KeymintProcess server(WithEnv({{"KEYMINT_SIGNING_PUBLISH_DELAY", "2"}}));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const std::string old_kid = Kid(admin);
  CHECK(Get(port, "/.well-known/jwks.json").Header("Cache-Control") == "public, max-age=2");

  const json::object created = Rotate(port, admin);
  const std::string new_kid = StringField(created, "kid");
  CHECK(StringField(created, "state") == "next");
  CHECK(KeyStates(port, admin) == std::map<std::string, std::string>{{old_kid, "active"}, {new_kid, "next"}});
  CHECK(Contains(JwksKids(port), new_kid));  // published before it signs
  CHECK(Kid(AdminToken(port)) == old_kid);

  const std::string switched =
      PollUntilNonEmpty([&] { return Kid(AdminToken(port)) == new_kid ? "switched" : ""; }, std::chrono::seconds(8));
  CHECK(switched == "switched");
  CHECK(KeyStates(port, admin) == std::map<std::string, std::string>{{old_kid, "retired"}, {new_kid, "active"}});
  CHECK(Get(port, kSigningKeys, admin).status == 200);  // the old key's token still works
}

TEST_CASE("A restart keeps the signing-key states", "[integration][signing-keys]") {
  const ScopedTempDir data, keys;
  ProcessOptions options;
  options.data_dir = data.path;
  options.keys_dir = keys.path;
  options.env["KEYMINT_ISSUER"] = "https://keymint.example.test";  // the same issuer on another port
  std::string before, new_kid;
  std::map<std::string, std::string> states;
  {
    KeymintProcess server(options);
    before = AdminToken(server.port());
    new_kid = StringField(Rotate(server.port(), before), "kid");
    states = KeyStates(server.port(), before);
    REQUIRE(states.size() == 2);
    REQUIRE(server.Stop() == 0);
  }
  KeymintProcess server(options);
  const uint16_t port = server.port();
  CHECK(KeyStates(port, before) == states);  // the old token still works after the restart
  CHECK(VerifiesAgainstJwks(port, before));
  CHECK(Kid(AdminToken(port)) == new_kid);
}

TEST_CASE("SIGHUP adopts a key file added to keys/ as the next signing key", "[integration][signing-keys]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const std::string pem = GenerateRsaPrivateKeyPem();
  std::string n, e;
  RsaPublicNumbers(pem, &n, &e);
  const std::string added_kid = RsaThumbprint(n, e);

  WriteKeyFile(server.keys_dir() + "/zz-added.pem", pem);
  server.Signal(SIGHUP);
  REQUIRE(WaitForLog(server, "adopted as active"));
  CHECK(KeyStates(port, admin) == std::map<std::string, std::string>{{Kid(admin), "retired"}, {added_kid, "active"}});
  CHECK(Kid(AdminToken(port)) == added_kid);
  CHECK(Get(port, kSigningKeys, admin).status == 200);
  // A second SIGHUP finds nothing new.
  server.Signal(SIGHUP);
  REQUIRE(WaitForLog(server, "no new key file"));
  CHECK(JwksKids(port).size() == 2);
}

TEST_CASE("SIGHUP with a garbage key file refuses it, logs it and changes nothing", "[integration][signing-keys]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const auto jwks_before = FetchJwks(port);

  WriteKeyFile(server.keys_dir() + "/garbage.pem",
               "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
  server.Signal(SIGHUP);
  REQUIRE(WaitForLog(server, "key file refused"));
  CHECK(server.StderrText().find("garbage.pem") != std::string::npos);
  CHECK(FetchJwks(port) == jwks_before);
  CHECK(KeyStates(port, admin) == std::map<std::string, std::string>{{Kid(admin), "active"}});
  CHECK(Kid(AdminToken(port)) == Kid(admin));
  std::filesystem::remove(server.keys_dir() + "/garbage.pem");
}

}  // namespace
}  // namespace keymint::testing
