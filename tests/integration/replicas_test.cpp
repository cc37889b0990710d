// Two keymint replicas over one PostgreSQL database and one keys directory
// (README "Deployment: several replicas"): what one does, the other sees, and
// within which bound. Runs in the shared-store pass of the suite (CTest's
// "postgres" fixture); without a PostgreSQL server it says so and passes.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "support/fixtures.hpp"
#include "support/shared_store.hpp"

namespace kt = keymint::testing;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr const char* kKeys = "/api/v1/access-keys";
constexpr milliseconds kMaxStaleness{1000};  // store.max_staleness_ms's default

// Replicas A and B: their own data directories (nothing in them but what a
// replica keeps locally), one keys directory, one database.
struct Replicas {
  explicit Replicas(const std::string& server)
      : url(kt::DatabaseFor(server, keys.path + "/database")), a(Options(keys.path, url)), b(Options(keys.path, url)) {}

  static kt::ProcessOptions Options(const std::string& keys_dir, const std::string& url) {
    kt::ProcessOptions options;
    options.keys_dir = keys_dir;
    // Behind one load balancer, replicas share the issuer clients see.
    options.extra_args = {"--store", url, "--issuer", "http://keymint.replicas.test"};
    return options;
  }

  kt::ScopedTempDir keys;
  std::string url;
  kt::KeymintProcess a;
  kt::KeymintProcess b;
};

// The replicas, or null (with a message) when this run has no PostgreSQL server.
std::unique_ptr<Replicas> StartReplicas() {
  const auto server = kt::TestPostgresUrl();
  if (!server) {
    WARN("PostgreSQL is not installed: skipping the replica test (scripts/test installs it)");
    return nullptr;
  }
  return std::make_unique<Replicas>(*server);
}

int Exchange(uint16_t port, const kt::CreatedKey& key, const std::string& secret) {
  return kt::ClientCredentialsExchange(port, key.client_id, secret).status;
}

std::string Regenerate(uint16_t port, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::PostJson(port, kt::JoinPath(kKeys, id) + "/secret", json::object{}, token);
  REQUIRE(response.status == 200);
  return std::string(response.Json().as_object().at("clientSecret").as_string());
}

// Exchanges `secret` at `port` until it is refused; how long that took from
// `since`. Gives up (returning the time spent) after `since` + 5 s.
milliseconds TimeUntilRefused(uint16_t port, const kt::CreatedKey& key, const std::string& secret,
                              Clock::time_point since) {
  while (Clock::now() - since < std::chrono::seconds(5)) {
    if (Exchange(port, key, secret) == 401) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since);
}

}  // namespace

TEST_CASE("A key created on one replica mints on the other, and its tokens work on both", "[postgres][replicas]") {
  auto replicas = StartReplicas();
  if (!replicas) return;
  const uint16_t a = replicas->a.port(), b = replicas->b.port();
  const std::string admin = kt::AdminToken(a);
  const kt::CreatedUser user = kt::CreateUser(a, admin, "replica-user@example.com");
  const kt::CreatedKey key = kt::CreateAccessKey(a, user.token, "shared");

  kt::CheckKeyMints(b, key.client_id, key.client_secret);
  const std::string token_from_b = kt::ClientCredentialsToken(b, key.client_id, key.client_secret);
  // One keys directory: B's token verifies on A, A's on B; the JWKS is the same.
  CHECK(kt::Get(a, kKeys, token_from_b).status == 200);
  CHECK(kt::Get(b, kKeys, user.token).status == 200);
  CHECK(json::serialize(kt::FetchJwks(a)) == json::serialize(kt::FetchJwks(b)));
  // The admin created at A's first start is the one B knows.
  CHECK(kt::UserIdByEmail(b, kt::AdminToken(b), "replica-user@example.com") == user.id);
}

TEST_CASE("A secret regenerated on one replica is refused on the other within store.max_staleness_ms",
          "[postgres][replicas]") {
  auto replicas = StartReplicas();
  if (!replicas) return;
  const uint16_t a = replicas->a.port(), b = replicas->b.port();
  const std::string admin = kt::AdminToken(a);
  const kt::CreatedUser user = kt::CreateUser(a, admin, "rotating@example.com");
  const kt::CreatedKey key = kt::CreateAccessKey(a, user.token, "rotating");
  REQUIRE(Exchange(b, key, key.client_secret) == 200);  // B now holds the key in memory

  const std::string fresh = Regenerate(a, user.token, key.id);
  const Clock::time_point regenerated = Clock::now();
  CHECK(Exchange(a, key, key.client_secret) == 401);  // at once where it was done
  const milliseconds took = TimeUntilRefused(b, key, key.client_secret, regenerated);
  INFO("B refused the old secret " << took.count() << " ms after A regenerated it");
  // Whatever B answers once the bound has passed since the change committed
  // is the new state: an exchange sent after it must be refused.
  std::this_thread::sleep_until(regenerated + kMaxStaleness);
  CHECK(Exchange(b, key, key.client_secret) == 401);
  CHECK(Exchange(b, key, fresh) == 200);
}

TEST_CASE("A key deleted or a user disabled on one replica stops minting on the other within the bound",
          "[postgres][replicas]") {
  auto replicas = StartReplicas();
  if (!replicas) return;
  const uint16_t a = replicas->a.port(), b = replicas->b.port();
  const std::string admin = kt::AdminToken(a);
  const kt::CreatedUser user = kt::CreateUser(a, admin, "leaving@example.com");
  const kt::CreatedKey key = kt::CreateAccessKey(a, user.token, "leaving");
  REQUIRE(Exchange(b, key, key.client_secret) == 200);

  REQUIRE(kt::Delete(a, kt::JoinPath(kKeys, key.id), user.token).status == 204);
  const Clock::time_point deleted = Clock::now();
  const milliseconds took = TimeUntilRefused(b, key, key.client_secret, deleted);
  INFO("B refused the deleted key " << took.count() << " ms after A deleted it");
  std::this_thread::sleep_until(deleted + kMaxStaleness);
  CHECK(Exchange(b, key, key.client_secret) == 401);
}

TEST_CASE("A token revoked on one replica is refused by the other within the bound", "[postgres][replicas]") {
  auto replicas = StartReplicas();
  if (!replicas) return;
  const uint16_t a = replicas->a.port(), b = replicas->b.port();
  const std::string admin = kt::AdminToken(a);
  const kt::CreatedUser user = kt::CreateUser(a, admin, "revoking@example.com");
  const kt::CreatedKey key = kt::CreateAccessKey(a, user.token, "revoking");
  const std::string token = kt::ClientCredentialsToken(b, key.client_id, key.client_secret);
  REQUIRE(kt::Get(b, kKeys, token).status == 200);

  const std::string client =
      "client_id=" + kt::FormEncode(key.client_id) + "&client_secret=" + kt::FormEncode(key.client_secret);
  REQUIRE(kt::PostForm(a, "/oauth2/revoke", client + "&token=" + kt::FormEncode(token)).status == 200);
  const Clock::time_point revoked = Clock::now();
  CHECK(kt::Get(a, kKeys, token).status == 401);  // at once where it was done
  std::this_thread::sleep_until(revoked + kMaxStaleness);
  CHECK(kt::Get(b, kKeys, token).status == 401);
  const kt::HttpResponse introspected =
      kt::PostForm(b, "/oauth2/introspect", client + "&token=" + kt::FormEncode(token));
  REQUIRE(introspected.status == 200);
  CHECK(introspected.Json().as_object().at("active") == false);
}

TEST_CASE("lastLogin of a key used on one replica shows on the other", "[postgres][replicas]") {
  auto replicas = StartReplicas();
  if (!replicas) return;
  const uint16_t a = replicas->a.port(), b = replicas->b.port();
  const std::string admin = kt::AdminToken(a);
  const kt::CreatedUser user = kt::CreateUser(a, admin, "busy@example.com");
  const kt::CreatedKey key = kt::CreateAccessKey(a, user.token, "busy");
  REQUIRE(Exchange(b, key, key.client_secret) == 200);
  // B writes its last logins in batches; A reads them from the database.
  const std::string seen = kt::WaitForLastLogin(a, user.token, kt::JoinPath(kKeys, key.id), 5000);
  CHECK_FALSE(seen.empty());
}

TEST_CASE("Two replicas deleting the last two administrators at once leave one", "[postgres][replicas]") {
  auto replicas = StartReplicas();
  if (!replicas) return;
  const uint16_t a = replicas->a.port(), b = replicas->b.port();
  // The administrator who remains after each round, and a new one beside them.
  std::string holder_token = kt::AdminToken(a);
  std::string holder_id = kt::UserIdByEmail(a, holder_token, kt::kAdminEmail);
  for (int round = 0; round < 3; ++round) {
    const kt::CreatedUser other =
        kt::CreateUser(a, holder_token, "admin" + std::to_string(round) + "@example.com", {"System administrator"});
    // Each deletes the other, one on each replica, at once.
    const auto responses = kt::Concurrently(2, [&](int i) {
      return i == 0 ? kt::Delete(a, kt::JoinPath("/api/v1/users", other.id), holder_token)
                    : kt::Delete(b, kt::JoinPath("/api/v1/users", holder_id), other.token);
    });
    INFO("round " << round << ": A " << responses[0].status << " " << responses[0].body << "; B " << responses[1].status
                  << " " << responses[1].body);
    const int deleted = (responses[0].status / 100 == 2) + (responses[1].status / 100 == 2);
    REQUIRE(deleted == 1);
    if (responses[1].status / 100 == 2) {
      holder_token = other.token;
      holder_id = other.id;
    }
  }
  CHECK(kt::Get(b, "/api/v1/users", holder_token).status == 200);
}

TEST_CASE("A shared store with a backup directory is refused at start: the database has its own backups",
          "[replicas]") {
  kt::ScopedTempDir backups;
  const kt::CommandResult result = kt::RunKeymint(
      {"serve", "--listen", "127.0.0.1:0", "--store", "postgres://127.0.0.1:1/none", "--backup-dir", backups.path});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Catch::Matchers::Contains("pg_dump"));
}
