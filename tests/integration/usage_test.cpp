// Credential usage over HTTP against the real binary: counts after token
// calls at both endpoints (once the background writer has flushed, as for
// lastLogin), the last source and User-Agent, failed attempts, who may read
// it, and that it goes with its credential.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

constexpr const char* kKeys = "/api/v1/access-keys";
constexpr const char* kAdminKeys = "/api/v1/administration/access-keys";

std::string UsagePath(const std::string& collection, const std::string& id) {
  return JoinPath(collection, id) + "/usage";
}

// GETs `target` as `token` until `ready(usage)` or 3 s pass (usage is
// written in the background, like lastLogin); returns the last answer.
template <typename Ready>
json::object WaitForUsage(uint16_t port, const std::string& token, const std::string& target, Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (true) {
    const HttpResponse response = Get(port, target, token);
    INFO("GET " << target << ": " << response.status << " " << response.body);
    REQUIRE(response.status == 200);
    json::object usage = CheckJsonObject(
        response, 200,
        {"daily", "id", "lastFailedAt", "lastSourceAddress", "lastUsedAt", "lastUserAgent", "tokensIssued"});
    if (ready(usage) || std::chrono::steady_clock::now() >= deadline) return usage;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

auto TokensAtLeast(int64_t n) {
  return [n](const json::object& usage) { return usage.at("tokensIssued").to_number<int64_t>() >= n; };
}

// A v1 and a v2 exchange with a User-Agent of our choosing.
void ExchangeWithAgent(uint16_t port, const std::string& client_id, const std::string& secret, const std::string& agent,
                       bool v2) {
  const HttpResponse response =
      v2 ? Send(port, "POST", "/api/v2/token",
                "grant_type=client_credentials&client_id=" + FormEncode(client_id) +
                    "&client_secret=" + FormEncode(secret),
                {{"Content-Type", "application/x-www-form-urlencoded"}, {"User-Agent", agent}})
         : Send(port, "POST", "/api/v1/token", json::serialize(ClientCredentialsBody(client_id, secret)),
                {{"Content-Type", "application/json"}, {"User-Agent", agent}});
  INFO(response.body);
  REQUIRE(response.status == 200);
}

}  // namespace

TEST_CASE("An access key's usage counts tokens from both endpoints, per day, with the last source and agent",
          "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "counted");
  const std::string target = UsagePath(kKeys, key.id);

  const json::object unused = WaitForUsage(port, admin, target, [](const json::object&) { return true; });
  CHECK(unused.at("tokensIssued") == 0);
  CHECK(unused.at("daily") == json::array{});
  CHECK(unused.at("lastUsedAt").is_null());
  CHECK(unused.at("lastSourceAddress").is_null());
  CHECK(unused.at("lastUserAgent").is_null());
  CHECK(unused.at("lastFailedAt").is_null());
  CHECK(unused.at("id") == key.id.c_str());

  for (int n = 0; n < 3; ++n) ExchangeWithAgent(port, key.client_id, key.client_secret, "first-agent", n % 2 == 1);
  ExchangeWithAgent(port, key.client_id, key.client_secret, std::string(400, 'u'), /*v2=*/true);
  const json::object usage = WaitForUsage(port, admin, target, TokensAtLeast(4));
  CHECK(usage.at("tokensIssued") == 4);
  const json::array& daily = usage.at("daily").as_array();
  REQUIRE(daily.size() == 1);
  CHECK(AsObject(daily[0]).at("tokens") == 4);
  CHECK(StringField(AsObject(daily[0]), "date").size() == 10);  // YYYY-MM-DD, today in UTC
  CHECK(StringField(usage, "lastSourceAddress") == "127.0.0.1");
  CHECK(StringField(usage, "lastUserAgent") == std::string(256, 'u'));  // truncated
  CHECK_FALSE(StringField(usage, "lastUsedAt").empty());
  CHECK(usage.at("lastFailedAt").is_null());

  // The administration path reads the same record.
  CHECK(WaitForUsage(port, admin, UsagePath(kAdminKeys, key.id), TokensAtLeast(4)) == usage);
}

TEST_CASE("A failed attempt with a key's client ID is recorded as its lastFailedAt", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "attacked");
  CheckKeyRefused(port, key.client_id, "kmsec_wrong");
  CheckKeyRefused(port, key.client_id, std::string(43, 'A'));
  const json::object usage = WaitForUsage(port, admin, UsagePath(kKeys, key.id),
                                          [](const json::object& u) { return !u.at("lastFailedAt").is_null(); });
  CHECK_FALSE(usage.at("lastFailedAt").is_null());
  CHECK(usage.at("tokensIssued") == 0);
}

TEST_CASE("Usage of another user's key is 404; administrators read any key's and service accounts'", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser viewer = CreateUser(port, admin, "viewer@example.com");
  const CreatedKey admins_key = CreateAccessKey(port, admin, "admins");
  const CreatedKey viewers_key = CreateAccessKey(port, viewer.token, "mine");

  CheckError(Get(port, UsagePath(kKeys, admins_key.id), viewer.token), 404);
  CheckError(Get(port, UsagePath(kKeys, kUnknownUuid), viewer.token), 404);
  CHECK(Get(port, UsagePath(kKeys, viewers_key.id), viewer.token).status == 200);
  CheckError(Get(port, UsagePath(kAdminKeys, viewers_key.id), viewer.token), 403);
  CHECK(Get(port, UsagePath(kAdminKeys, viewers_key.id), admin).status == 200);
  CheckError(Get(port, UsagePath(kAdminKeys, kUnknownUuid), admin), 404);
  CheckError(Get(port, UsagePath(kKeys, viewers_key.id), ""), 401);

  // A service account's usage: administrators only.
  const HttpResponse created = PostJson(port, kServiceAccountsPath, ServiceAccountBody("robot"), admin);
  REQUIRE(created.status == 201);
  const json::object account = AsObject(created.Json());
  const std::string id = StringField(account, "id");
  CheckKeyMints(port, StringField(account, "clientId"), StringField(account, "clientSecret"));
  CheckKeyMints(port, StringField(account, "clientId"), StringField(account, "clientSecret"));
  const json::object usage = WaitForUsage(port, admin, UsagePath(kServiceAccountsPath, id), TokensAtLeast(2));
  CHECK(usage.at("tokensIssued") == 2);
  CheckError(Get(port, UsagePath(kServiceAccountsPath, id), viewer.token), 403);
  CheckError(Get(port, UsagePath(kServiceAccountsPath, admins_key.id), admin), 404);  // a key is no account
}

TEST_CASE("A deleted key's usage goes with it, and usage survives a clean restart", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  CreatedKey kept;
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    const std::string admin = AdminToken(port);
    kept = CreateAccessKey(port, admin, "kept");
    const CreatedKey gone = CreateAccessKey(port, admin, "gone");
    CheckKeyMints(port, gone.client_id, gone.client_secret);
    WaitForUsage(port, admin, UsagePath(kKeys, gone.id), TokensAtLeast(1));
    REQUIRE(Delete(port, JoinPath(kKeys, gone.id), admin).status == 204);
    CheckError(Get(port, UsagePath(kKeys, gone.id), admin), 404);
    // Minted just before a clean stop: not lost (the lastLogin rule).
    CheckKeyMints(port, kept.client_id, kept.client_secret);
    CHECK(server.Stop() == 0);
  }
  KeymintProcess server(options);
  const std::string admin = AdminToken(server.port());
  const HttpResponse response = Get(server.port(), UsagePath(kKeys, kept.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(AsObject(response.Json()).at("tokensIssued") == 1);
}

}  // namespace keymint::testing
