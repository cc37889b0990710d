// Replicas sharing one keys directory (README "Signing-key rotation", shared
// keys directory): two keymint processes, each with its own data directory,
// mount the same keys directory. They publish a byte-identical JWKS, and a
// rotation on one signs on the other within the refresh interval (1 s by
// default; the test allows 2 s).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kJwks = "/.well-known/jwks.json";
constexpr const char* kSigningKeys = "/api/v1/signing-keys";

// The JWKS exactly as served.
std::string JwksBytes(uint16_t port) {
  const HttpResponse jwks = Get(port, kJwks);
  REQUIRE(jwks.status == 200);
  return jwks.body;
}

// Polls until both replicas serve the same JWKS bytes (up to `limit`); true when they do.
bool JwksConverge(uint16_t a, uint16_t b, std::chrono::milliseconds limit) {
  return !PollUntilNonEmpty([&] { return JwksBytes(a) == JwksBytes(b) ? "same" : ""; }, limit, 20ms).empty();
}

std::string Kid(const std::string& jwt) { return StringField(JwtHeader(jwt), "kid"); }

json::object Rotate(uint16_t port, const std::string& admin) {
  const HttpResponse rotated =
      Send(port, "POST", "/api/v1/signing-keys/rotate", "", {{"Authorization", "Bearer " + admin}});
  return CheckJsonObject(rotated, 201, {"alg", "createdAt", "kid", "state"});
}

// GET /api/v1/signing-keys as `admin`, as served.
json::value SigningKeys(uint16_t port, const std::string& admin) {
  const HttpResponse listed = Get(port, kSigningKeys, admin);
  REQUIRE(listed.status == 200);
  return listed.Json();
}

std::size_t RotationsAudited(uint16_t port, const std::string& admin) {
  const HttpResponse audited = Get(port, "/api/v1/audit-logs?action=signing_key.rotate", admin);
  REQUIRE(audited.status == 200);
  return audited.Json().as_object().at("auditLogs").as_array().size();
}

// Two replicas on one keys directory; `env` for both.
struct Replicas {
  explicit Replicas(const std::map<std::string, std::string>& env = {}) : a(Options(env)), b(Options(env)) {}

  ProcessOptions Options(const std::map<std::string, std::string>& env) const {
    ProcessOptions options = WithEnv(env);
    options.keys_dir = keys.path;
    return options;
  }

  ScopedTempDir keys;  // declared first: outlives both processes
  KeymintProcess a;
  KeymintProcess b;
};

}  // namespace

TEST_CASE("Replicas sharing a keys directory serve one JWKS, and a rotation on one signs on the other within 2 s",
          "[integration][shared-keys]") {
  Replicas replicas;
  const uint16_t a = replicas.a.port();
  const uint16_t b = replicas.b.port();
  const std::string admin_a = AdminToken(a);
  const std::string admin_b = AdminToken(b);
  REQUIRE(JwksBytes(a) == JwksBytes(b));
  CHECK(Kid(admin_a) == Kid(admin_b));  // b found the key a generated

  const std::string new_kid = StringField(Rotate(a, admin_a), "kid");
  const auto rotated_at = std::chrono::steady_clock::now();
  REQUIRE(JwksConverge(a, b, 2s));
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - rotated_at);
  INFO("b served a's JWKS " << took.count() << " ms after the rotation");
  CHECK(took < 2s);
  CHECK(JwksBytes(b).find(new_kid) != std::string::npos);

  // b signs with the new key, and lists the same states and times as a.
  CHECK(Kid(AdminToken(b)) == new_kid);
  CHECK(SigningKeys(b, admin_b) == SigningKeys(a, admin_a));
  // Only the replica that rotated audited it.
  CHECK(RotationsAudited(a, admin_a) == 1);
  CHECK(RotationsAudited(b, admin_b) == 0);
  CHECK(PemFiles(replicas.keys.path).size() == 2);
}

TEST_CASE("Rotations on two replicas at once keep both keys, and the replicas agree", "[integration][shared-keys]") {
  Replicas replicas;
  const uint16_t ports[] = {replicas.a.port(), replicas.b.port()};
  const std::string admins[] = {AdminToken(ports[0]), AdminToken(ports[1])};

  const std::vector<HttpResponse> rotated = Concurrently(2, [&](int i) {
    return Send(ports[i], "POST", "/api/v1/signing-keys/rotate", "", {{"Authorization", "Bearer " + admins[i]}});
  });
  REQUIRE(rotated[0].status == 201);
  REQUIRE(rotated[1].status == 201);
  const std::string kid_a = StringField(rotated[0].Json().as_object(), "kid");
  const std::string kid_b = StringField(rotated[1].Json().as_object(), "kid");

  REQUIRE(JwksConverge(ports[0], ports[1], 2s));
  const std::string jwks = JwksBytes(ports[0]);
  CHECK(jwks.find(kid_a) != std::string::npos);
  CHECK(jwks.find(kid_b) != std::string::npos);
  CHECK(AsArray(FetchJwks(ports[0]).at("keys")).size() == 3);
  CHECK(SigningKeys(ports[1], admins[1]) == SigningKeys(ports[0], admins[0]));
  CHECK(Kid(AdminToken(ports[0])) == Kid(AdminToken(ports[1])));
}

TEST_CASE("With a publish delay both replicas switch to a key rotated on one when it falls due",
          "[integration][shared-keys]") {
  Replicas replicas(std::map<std::string, std::string>{{"KEYMINT_SIGNING_PUBLISH_DELAY", "2"}});
  const uint16_t a = replicas.a.port();
  const uint16_t b = replicas.b.port();
  const std::string admin_b = AdminToken(b);
  const std::string old_kid = Kid(admin_b);

  const json::object created = Rotate(a, AdminToken(a));
  const std::string new_kid = StringField(created, "kid");
  CHECK(StringField(created, "state") == "next");
  REQUIRE(JwksConverge(a, b, 2s));  // published on b before it signs anywhere
  CHECK(Kid(AdminToken(b)) == old_kid);

  const std::string switched = PollUntilNonEmpty(
      [&] { return Kid(AdminToken(a)) == new_kid && Kid(AdminToken(b)) == new_kid ? "switched" : ""; }, 8s);
  CHECK(switched == "switched");
  CHECK(SigningKeys(b, admin_b) == SigningKeys(a, AdminToken(a)));
}

}  // namespace keymint::testing
