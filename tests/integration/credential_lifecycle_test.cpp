// The credential lifecycle over real HTTP against the real binary (README
// "Credential lifecycle"): a replaced secret's grace period at both token
// endpoints and across a restart, expiry, scoped access keys, the /details
// paths, the merging service-account PATCH, and the 400s of each extension.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/json_checks.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"
#include "support/token_forms.hpp"

namespace json = boost::json;

namespace keymint::testing {
namespace {

constexpr const char* kKeys = "/api/v1/access-keys";
constexpr const char* kUserApps = "/api/v1/user-applications";
constexpr const char* kAdminKeys = "/api/v1/administration/access-keys";

const std::vector<std::string> kKeyDetailsMembers =
    Sorted({"clientId", "createdAt", "id", "lastLogin", "name", "enabled", "expiresAt", "roles", "secretGraceEndsAt"});

// RFC 3339 in UTC, `seconds_from_now` from the wall clock, whole seconds.
std::string TimestampIn(int64_t seconds_from_now) {
  const std::time_t at = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) +
                         static_cast<std::time_t>(seconds_from_now);
  std::tm utc{};
  gmtime_r(&at, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// POST .../{id}/secret with `query` ("" or "?graceSeconds=N"); REQUIREs 200 and
// returns the secret under `member`.
std::string Regenerate(uint16_t port, const std::string& path, const std::string& token, const std::string& query,
                       const std::string& member = "clientSecret") {
  const HttpResponse response =
      Send(port, "POST", path + "/secret" + query, "", {{"Authorization", "Bearer " + token}});
  INFO(response.body);
  REQUIRE(response.status == 200);
  return StringField(AsObject(response.Json()), member);
}

// Every client-credentials form at both token endpoints mints (or, `mints`
// false, is refused exactly as a secret that never existed is).
void CheckEverywhere(uint16_t port, const std::string& client_id, const std::string& secret, bool mints) {
  for (TokenForm form : kAllTokenForms) {
    INFO(Describe(form) << (mints ? ": mints" : ": refused"));
    const HttpResponse answer = ExchangeAs(form, port, client_id, secret);
    if (mints) {
      CHECK(answer.status == 200);
    } else {
      const HttpResponse wrong = ExchangeAs(form, port, client_id, "kmsec_not-the-secret");
      CHECK(answer.status == 401);
      CHECK(Observable(answer) == Observable(wrong));
    }
  }
}

// Waits (up to `timeout`) until the v1 token endpoint refuses the secret.
bool WaitUntilRefused(uint16_t port, const std::string& client_id, const std::string& secret,
                      std::chrono::milliseconds timeout = std::chrono::seconds(6)) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (ClientCredentialsExchange(port, client_id, secret).status == 401) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

json::object Details(uint16_t port, const std::string& path, const std::string& token) {
  const HttpResponse response = Get(port, path + "/details", token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return AsObject(response.Json());
}

std::vector<std::string> TokenRoles(const std::string& jwt) { return StringArrayField(JwtClaims(jwt), "roles"); }

// These tests compare many refusals at every token form: with the failure
// throttles on, the client ID (and 127.0.0.1) would be throttled (429) long
// before the test is done. One test below checks that expiry counts there.
std::map<std::string, std::string> Unthrottled(std::map<std::string, std::string> env = {}) {
  env.emplace("KEYMINT_THROTTLE_CLIENT_ID_PER_MINUTE", "0");
  env.emplace("KEYMINT_THROTTLE_CLIENT_ADDRESS_PER_MINUTE", "0");
  return env;
}

}  // namespace

TEST_CASE("A secret replaced with a grace period keeps minting at both token endpoints until it ends",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "rolling");
  const std::string path = JoinPath(kKeys, key.id);
  const std::string before = ClientCredentialsToken(port, key.client_id, key.client_secret);

  const std::string fresh = Regenerate(port, path, admin, "?graceSeconds=2");
  CheckEverywhere(port, key.client_id, key.client_secret, true);
  CheckEverywhere(port, key.client_id, fresh, true);
  // Tokens of the old secret (minted before or during the grace period) still manage.
  CHECK(Get(port, kKeys, before).status == 200);
  const std::string during = ClientCredentialsToken(port, key.client_id, key.client_secret);
  CHECK(Get(port, kKeys, during).status == 200);
  const json::object details = Details(port, path, admin);
  CHECK(IsTimestamp(StringField(details, "secretGraceEndsAt")));

  // Then it stops by itself; the new secret goes on.
  REQUIRE(WaitUntilRefused(port, key.client_id, key.client_secret));
  CheckEverywhere(port, key.client_id, key.client_secret, false);
  CheckEverywhere(port, key.client_id, fresh, true);
  CheckError(Get(port, kKeys, before), 401);
  CheckError(Get(port, kKeys, during), 401);
  CHECK(Details(port, path, admin).at("secretGraceEndsAt").is_null());
}

TEST_CASE("Without graceSeconds a replaced secret stops at once, and a second replacement ends the grace",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "plain");
  const std::string path = JoinPath(kKeys, key.id);

  const std::string second = Regenerate(port, path, admin, "");
  CheckEverywhere(port, key.client_id, key.client_secret, false);
  const std::string third = Regenerate(port, path, admin, "?graceSeconds=600");
  const std::string fourth = Regenerate(port, path, admin, "?graceSeconds=600");
  CheckEverywhere(port, key.client_id, second, false);  // the older one in grace stopped at once
  CheckEverywhere(port, key.client_id, third, true);
  CheckEverywhere(port, key.client_id, fourth, true);
  const std::string fifth = Regenerate(port, path, admin, "?graceSeconds=0");
  CheckEverywhere(port, key.client_id, fourth, false);
  CheckEverywhere(port, key.client_id, fifth, true);
}

TEST_CASE("Grace periods work on user applications, service accounts and apps too",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);

  const CreatedKey app = CreateAccessKey(port, admin, "legacy");
  const std::string app_secret = Regenerate(port, JoinPath(kUserApps, app.id), admin, "?graceSeconds=600");
  CheckEverywhere(port, app.client_id, app.client_secret, true);
  CheckEverywhere(port, app.client_id, app_secret, true);

  const HttpResponse created = PostJson(port, kServiceAccountsPath, ServiceAccountBody("pipeline"), admin);
  REQUIRE(created.status == 201);
  const std::string id = StringField(AsObject(created.Json()), "id");
  const std::string client_id = StringField(AsObject(created.Json()), "clientId");
  const std::string first = StringField(AsObject(created.Json()), "clientSecret");
  const std::string second = Regenerate(port, JoinPath(kServiceAccountsPath, id), admin, "?graceSeconds=600");
  const std::string third = Regenerate(port, JoinPath(kAppsPath, id), admin, "?graceSeconds=600", "secret");
  CheckEverywhere(port, client_id, first, false);
  CheckEverywhere(port, client_id, second, true);
  CheckEverywhere(port, client_id, third, true);
  const json::object details = Details(port, JoinPath(kServiceAccountsPath, id), admin);
  CHECK(IsTimestamp(StringField(details, "secretGraceEndsAt")));

  // The audit entries say what was asked for, never the secret.
  const HttpResponse audit = Get(port, "/api/v1/audit-logs?action=service_account.regenerate", admin);
  REQUIRE(audit.status == 200);
  const json::value page = audit.Json();
  const json::array& entries = AsArray(AsObject(page).at("auditLogs"));
  REQUIRE(entries.size() == 2);
  for (const auto& entry : entries) CHECK(StringField(AsObject(entry), "detail") == "graceSeconds=600");
  CHECK(audit.body.find(second) == std::string::npos);
}

TEST_CASE("A grace period survives a restart of the binary", "[integration][credential-lifecycle]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  options.env = Unthrottled();
  CreatedKey key;
  std::string fresh;
  {
    KeymintProcess server(options);
    const std::string admin = AdminToken(server.port());
    key = CreateAccessKey(server.port(), admin, "durable");
    fresh = Regenerate(server.port(), JoinPath(kKeys, key.id), admin, "?graceSeconds=3");
    CHECK(server.Stop() == 0);
  }
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    CheckEverywhere(port, key.client_id, key.client_secret, true);
    CheckEverywhere(port, key.client_id, fresh, true);
    REQUIRE(WaitUntilRefused(port, key.client_id, key.client_secret));
    CheckEverywhere(port, key.client_id, key.client_secret, false);
    CheckEverywhere(port, key.client_id, fresh, true);
  }
}

TEST_CASE("An expired credential is refused at both token endpoints like a wrong secret, and stays listed",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const std::string expires_at = TimestampIn(2);
  const HttpResponse created =
      PostJson(port, kKeys, json::object{{"name", "short-lived"}, {"expiresAt", expires_at}}, admin);
  REQUIRE(created.status == 201);
  // The create answer stays the seed's.
  const json::object body =
      CheckJsonObject(created, 201, Sorted({"id", "name", "clientId", "clientSecret", "createdAt"}));
  const std::string id = StringField(body, "id");
  const std::string client_id = StringField(body, "clientId");
  const std::string secret = StringField(body, "clientSecret");
  const json::object details = Details(port, JoinPath(kKeys, id), admin);
  CHECK(Keys(details) == kKeyDetailsMembers);
  CHECK(StringField(details, "expiresAt").substr(0, 19) == expires_at.substr(0, 19));

  const std::string token = ClientCredentialsToken(port, client_id, secret);
  REQUIRE_FALSE(token.empty());
  CHECK(Get(port, kKeys, token).status == 200);

  REQUIRE(WaitUntilRefused(port, client_id, secret));
  CheckEverywhere(port, client_id, secret, false);
  CheckError(Get(port, kKeys, token), 401);  // its bearer tokens too
  CHECK(ListAccessKeys(port, admin).size() == 1);

  // A service account, the same.
  const HttpResponse account =
      PostJson(port, kServiceAccountsPath, json::object{{"name", "nightly"}, {"expiresAt", TimestampIn(2)}}, admin);
  REQUIRE(account.status == 201);
  const std::string account_client_id = StringField(AsObject(account.Json()), "clientId");
  const std::string account_secret = StringField(AsObject(account.Json()), "clientSecret");
  REQUIRE(WaitUntilRefused(port, account_client_id, account_secret));
  CheckEverywhere(port, account_client_id, account_secret, false);
}

TEST_CASE("Introspection and revocation accept a secret in grace and refuse an expired credential",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "resource-server");
  const std::string token = ClientCredentialsToken(port, key.client_id, key.client_secret);
  const auto call = [&](const char* path, const std::string& client_id, const std::string& secret) {
    return PostForm(
        port, path,
        "client_id=" + FormEncode(client_id) + "&client_secret=" + FormEncode(secret) + "&token=" + FormEncode(token));
  };
  // The same client authentication as the token endpoints: a replaced secret
  // in its grace period still authenticates, beside the new one.
  const std::string fresh = Regenerate(port, JoinPath(kKeys, key.id), admin, "?graceSeconds=60");
  CHECK(call("/oauth2/introspect", key.client_id, key.client_secret).status == 200);
  CHECK(call("/oauth2/introspect", key.client_id, fresh).status == 200);

  // An expired credential does not.
  const HttpResponse created =
      PostJson(port, kKeys, json::object{{"name", "short-lived"}, {"expiresAt", TimestampIn(2)}}, admin);
  REQUIRE(created.status == 201);
  const std::string client_id = StringField(AsObject(created.Json()), "clientId");
  const std::string secret = StringField(AsObject(created.Json()), "clientSecret");
  CHECK(call("/oauth2/introspect", client_id, secret).status == 200);
  REQUIRE(WaitUntilRefused(port, client_id, secret));
  for (const char* path : {"/oauth2/introspect", "/oauth2/revoke"}) {
    const HttpResponse refused = call(path, client_id, secret);
    INFO(path << ": " << refused.body);
    CHECK(refused.status == 401);
    CHECK(AsObject(refused.Json()).at("error") == "invalid_client");
  }
}

TEST_CASE("Refusals of an expired credential count in the failure throttle as wrong secrets do",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(
      WithEnv({{"KEYMINT_THROTTLE_CLIENT_ID_BURST", "3"}, {"KEYMINT_THROTTLE_CLIENT_ID_PER_MINUTE", "1"}}));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const HttpResponse created =
      PostJson(port, kKeys, json::object{{"name", "lapsing"}, {"expiresAt", TimestampIn(2)}}, admin);
  REQUIRE(created.status == 201);
  const std::string client_id = StringField(AsObject(created.Json()), "clientId");
  const std::string secret = StringField(AsObject(created.Json()), "clientSecret");
  REQUIRE(WaitUntilRefused(port, client_id, secret));  // one failure
  CHECK(ClientCredentialsExchange(port, client_id, secret).status == 401);
  CHECK(ClientCredentialsExchange(port, client_id, secret).status == 401);
  CHECK(ClientCredentialsExchange(port, client_id, secret).status == 429);  // the burst of 3 is spent
}

TEST_CASE("A maximum lifetime gives new keys an expiry and refuses a later one",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled({{"KEYMINT_MAX_LIFETIME_DAYS", "1"}})));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "capped");
  const std::string expires_at = StringField(Details(port, JoinPath(kKeys, key.id), admin), "expiresAt");
  CHECK(expires_at.substr(0, 13) == TimestampIn(86400).substr(0, 13));  // to the hour
  const std::string message = CheckError(
      PostJson(port, kKeys, json::object{{"name", "too-long"}, {"expiresAt", TimestampIn(2 * 86400)}}, admin), 400);
  CHECK(message.find("expiresAt") != std::string::npos);
  CheckError(PostJson(port, kServiceAccountsPath,
                      json::object{{"name", "too-long"}, {"expiresAt", TimestampIn(2 * 86400)}}, admin),
             400);
}

TEST_CASE("A scoped key's tokens carry its scope, narrowed to the owner's roles at mint time",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser ada = CreateUser(port, admin, "ada@example.com", {"ML engineer", "Viewer"});

  const HttpResponse created =
      PostJson(port, kKeys, json::object{{"name", "viewer-only"}, {"roles", json::array{"Viewer"}}}, ada.token);
  REQUIRE(created.status == 201);
  const std::string id = StringField(AsObject(created.Json()), "id");
  const std::string client_id = StringField(AsObject(created.Json()), "clientId");
  const std::string secret = StringField(AsObject(created.Json()), "clientSecret");
  for (TokenForm form : kAllTokenForms) {
    INFO(Describe(form));
    const HttpResponse answer = ExchangeAs(form, port, client_id, secret);
    REQUIRE(answer.status == 200);
    const json::value parsed = answer.Json();
    const json::object& tokens = AsObject(parsed);
    const std::string jwt =
        tokens.contains("accessToken") ? StringField(tokens, "accessToken") : StringField(tokens, "access_token");
    CHECK(TokenRoles(jwt) == std::vector<std::string>{"Viewer"});
  }
  const json::object details = Details(port, JoinPath(kKeys, id), ada.token);
  CHECK(StringArrayField(details, "roles") == std::vector<std::string>{"Viewer"});
  CHECK(Details(port, JoinPath(kAdminKeys, id), admin).at("roles").as_array().size() == 1);

  // The owner loses Viewer: the key's tokens lose it too.
  REQUIRE(PutJson(port, JoinPath("/api/v1/users", ada.id) + "/roles",
                  json::object{{"roles", json::array{"ML engineer"}}}, admin)
              .status == 200);
  CHECK(TokenRoles(ClientCredentialsToken(port, client_id, secret)).empty());

  // An administrator's key scoped to Viewer cannot administer; the first
  // admin holds only System administrator, so Viewer is not theirs to scope to.
  const CreatedUser root = CreateUser(port, admin, "root@example.com", {"System administrator", "Viewer"});
  const HttpResponse viewer_key =
      PostJson(port, kKeys, json::object{{"name", "admin-viewer"}, {"roles", json::array{"Viewer"}}}, root.token);
  REQUIRE(viewer_key.status == 201);
  const std::string viewer_token = ClientCredentialsToken(port, StringField(AsObject(viewer_key.Json()), "clientId"),
                                                          StringField(AsObject(viewer_key.Json()), "clientSecret"));
  CheckError(Get(port, "/api/v1/users", viewer_token), 403);
  CHECK(Get(port, "/api/v1/users", root.token).status == 200);
  CHECK(CheckError(PostJson(port, kKeys, json::object{{"name", "nope"}, {"roles", json::array{"Viewer"}}}, admin), 400)
            .find("Viewer") != std::string::npos);
}

TEST_CASE("Details answer the seed's record plus the lifecycle members, and null roles for an unscoped key",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser ada = CreateUser(port, admin, "ada@example.com", {"Viewer"});
  const CreatedKey key = CreateAccessKey(port, ada.token, "plain");

  const json::object own = Details(port, JoinPath(kKeys, key.id), ada.token);
  CHECK(Keys(own) == kKeyDetailsMembers);
  CHECK(own.at("enabled").as_bool());
  CHECK(own.at("expiresAt").is_null());
  CHECK(own.at("roles").is_null());
  CHECK(own.at("secretGraceEndsAt").is_null());
  CHECK(StringField(own, "clientId") == key.client_id);

  const json::object as_admin = Details(port, JoinPath(kAdminKeys, key.id), admin);
  CHECK(StringField(as_admin, "createdBy") == "ada@example.com");
  // Someone else's key is 404 on the owner's path; the admin path is admins only.
  CheckError(Get(port, JoinPath(kKeys, key.id) + "/details", admin), 404);
  CheckError(Get(port, JoinPath(kAdminKeys, key.id) + "/details", ada.token), 403);
  CheckError(Get(port, JoinPath(kAdminKeys, kUnknownUuid) + "/details", admin), 404);

  const HttpResponse created = PostJson(port, kServiceAccountsPath, ServiceAccountBody("svc", {{"Viewer"}}), admin);
  REQUIRE(created.status == 201);
  const std::string id = StringField(AsObject(created.Json()), "id");
  const json::object account = Details(port, JoinPath(kServiceAccountsPath, id), admin);
  CHECK(Keys(account) == Sorted({"name", "createdBy", "createdAt", "updatedAt", "enabled", "tenantId", "lastLogin",
                                 "id", "clientId", "expiresAt", "secretGraceEndsAt"}));
  CheckError(Get(port, JoinPath(kServiceAccountsPath, id) + "/details", ada.token), 403);
  CheckError(Get(port, JoinPath(kServiceAccountsPath, key.id) + "/details", admin), 404);
}

TEST_CASE("Service-account PATCH merges, while /api/v1/apps still requires enabled",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled()));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const HttpResponse created = PostJson(port, kServiceAccountsPath, ServiceAccountBody("merge", {{"Viewer"}}), admin);
  REQUIRE(created.status == 201);
  const std::string id = StringField(AsObject(created.Json()), "id");
  const std::string client_id = StringField(AsObject(created.Json()), "clientId");
  const std::string secret = StringField(AsObject(created.Json()), "clientSecret");

  const HttpResponse roles_only =
      PatchJson(port, JoinPath(kServiceAccountsPath, id), json::object{{"roles", json::array{"ML engineer"}}}, admin);
  REQUIRE(roles_only.status == 200);
  CHECK(AsObject(roles_only.Json()).at("enabled").as_bool());
  CHECK(TokenRoles(ClientCredentialsToken(port, client_id, secret)) == std::vector<std::string>{"ML engineer"});
  CHECK(PatchJson(port, JoinPath(kServiceAccountsPath, id), json::object{}, admin).status == 200);
  CHECK(PatchJson(port, JoinPath(kServiceAccountsPath, id), json::object{{"enabled", false}}, admin).status == 200);
  CheckEverywhere(port, client_id, secret, false);

  const std::string message =
      CheckError(PatchJson(port, JoinPath(kAppsPath, id), json::object{{"roles", json::array{"Viewer"}}}, admin), 400);
  CHECK(message.find("enabled") != std::string::npos);
}

TEST_CASE("Bad graceSeconds, expiresAt and roles are 400 in the Error shape and change nothing",
          "[integration][credential-lifecycle]") {
  KeymintProcess server(WithEnv(Unthrottled({{"KEYMINT_MAX_GRACE_SECONDS", "3600"}})));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser ada = CreateUser(port, admin, "ada@example.com", {"Viewer"});
  const CreatedKey key = CreateAccessKey(port, ada.token, "steady");

  for (const std::string query : {"-1", "3601", "abc", "1.5", "", "1e3", "99999999999999999999999"}) {
    INFO("graceSeconds=" << query);
    const HttpResponse answer = Send(port, "POST", JoinPath(kKeys, key.id) + "/secret?graceSeconds=" + query, "",
                                     {{"Authorization", "Bearer " + ada.token}});
    CHECK(CheckError(answer, 400).find("graceSeconds") != std::string::npos);
  }
  CheckKeyMints(port, key.client_id, key.client_secret);  // nothing was replaced
  CHECK(Send(port, "POST", JoinPath(kKeys, key.id) + "/secret?graceSeconds=3600", "",
             {{"Authorization", "Bearer " + ada.token}})
            .status == 200);

  const std::vector<json::value> bad_expiry = {json::value("yesterday"), json::value("2020-01-01T00:00:00Z"),
                                               json::value(1893456000), json::value(TimestampIn(-10)),
                                               json::value("2027-02-30T00:00:00Z")};
  for (const auto& value : bad_expiry) {
    INFO("expiresAt " << json::serialize(value));
    CHECK(CheckError(PostJson(port, kKeys, json::object{{"name", "bad-expiry"}, {"expiresAt", value}}, ada.token), 400)
              .find("expiresAt") != std::string::npos);
    CheckError(PostJson(port, kServiceAccountsPath, json::object{{"name", "bad-expiry"}, {"expiresAt", value}}, admin),
               400);
  }
  const std::string lacking = CheckError(
      PostJson(port, kKeys, json::object{{"name", "grab"}, {"roles", json::array{"System administrator"}}}, ada.token),
      400);
  CHECK(lacking.find("System administrator") != std::string::npos);
  CheckError(PostJson(port, kKeys, json::object{{"name", "empty"}, {"roles", json::array{}}}, ada.token), 400);
  CheckError(PostJson(port, kKeys, json::object{{"name", "typed"}, {"roles", "Viewer"}}, ada.token), 400);
  CHECK(ListAccessKeys(port, ada.token).size() == 1);
}

}  // namespace keymint::testing
