// Applications (API.md §6, seed 001): the deprecated /api/v1/apps view of the
// service-account records, driven over HTTP against the real keymint binary.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"

namespace {

namespace json = boost::json;
namespace kt = keymint::testing;

constexpr const char* kApps = kt::kAppsPath;
constexpr const char* kAccounts = kt::kServiceAccountsPath;
// The successor path, then the migration guide keymint serves (RFC 9745 rel="deprecation").
constexpr const char* kSuccessorLink =
    "</api/v1/service-accounts>; rel=\"successor-version\", </docs/migration>; rel=\"deprecation\"; "
    "type=\"text/markdown\"";

const std::vector<std::string> kAppCreateMembers = kt::Sorted({"id", "name", "secret", "clientId"});

// Every response on the /api/v1/apps paths announces the deprecation.
void ExpectDeprecated(const kt::HttpResponse& response) {
  INFO("status " << response.status << " body " << response.body);
  CHECK(response.Header("Deprecation") == "@1735689600");  // 2025-01-01, the default deprecation.date
  CHECK(response.Header("Link") == kSuccessorLink);
  CHECK(response.Header("Sunset").empty());  // none configured
}

// An error on a deprecated path: the Error shape plus the deprecation headers.
std::string ExpectDeprecatedError(const kt::HttpResponse& response, int status) {
  ExpectDeprecated(response);
  return kt::CheckError(response, status);
}

struct App {
  std::string id, name, client_id, secret;
};

using Record = kt::ServiceAccountView;

App CreateApp(uint16_t port, const std::string& token, const std::string& name,
              const std::optional<std::vector<std::string>>& roles = std::nullopt) {
  const kt::HttpResponse response = kt::PostJson(port, kApps, kt::ServiceAccountBody(name, roles), token);
  INFO("create app " << name << ": " << response.status << " " << response.body);
  const json::object created = kt::CheckJsonObject(response, 201, kAppCreateMembers);
  ExpectDeprecated(response);
  CHECK(kt::StringField(created, "name") == name);
  return {kt::StringField(created, "id"), kt::StringField(created, "name"), kt::StringField(created, "clientId"),
          kt::StringField(created, "secret")};
}

// POST /api/v1/service-accounts; REQUIREs 201.
App CreateAccount(uint16_t port, const std::string& token, const std::string& name) {
  const kt::HttpResponse response = kt::PostJson(port, kAccounts, kt::ServiceAccountBody(name), token);
  INFO("create service account " << name << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  CHECK(response.Header("Deprecation").empty());
  const json::value body = response.Json();
  const json::object& created = kt::AsObject(body);
  return {kt::StringField(created, "id"), kt::StringField(created, "name"), kt::StringField(created, "clientId"),
          kt::StringField(created, "clientSecret")};
}

Record GetOn(uint16_t port, const std::string& base, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(base, id), token);
  INFO("GET " << base << "/" << id << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  if (std::string(base) == kApps) {
    ExpectDeprecated(response);
  } else {
    CHECK(response.Header("Deprecation").empty());
  }
  return kt::CheckServiceAccount(kt::AsObject(response.Json()));
}

std::vector<Record> ListOn(uint16_t port, const std::string& base, const std::string& token) {
  const kt::HttpResponse response = kt::Get(port, base, token);
  INFO("GET " << base << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  if (std::string(base) == kApps) ExpectDeprecated(response);
  const json::value body = response.Json();
  std::vector<Record> records;
  for (const auto& item : kt::AsArray(body)) records.push_back(kt::CheckServiceAccount(kt::AsObject(item)));
  return records;
}

std::vector<std::string> RecordIds(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) ids.push_back(record.id);
  return ids;
}

kt::HttpResponse PatchApp(uint16_t port, const std::string& token, const std::string& id, const json::value& body) {
  return kt::PatchJson(port, kt::JoinPath(kApps, id), body, token);
}

kt::HttpResponse RegenerateApp(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PostJson(port, kt::JoinPath(kApps, id) + "/secret", json::object{}, token);
}

kt::HttpResponse AppTokenExchange(uint16_t port, const std::string& app_id, const std::string& secret,
                                  const char* id_member = "appID") {
  return kt::PostJson(port, "/api/v1/token",
                      json::object{{"grantType", "app_token"}, {id_member, app_id}, {"appSecret", secret}});
}

std::string AppToken(uint16_t port, const std::string& app_id, const std::string& secret,
                     const char* id_member = "appID") {
  const kt::HttpResponse response = AppTokenExchange(port, app_id, secret, id_member);
  INFO("app_token exchange (" << id_member << "): " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return kt::StringField(kt::AsObject(response.Json()), "accessToken");
}

}  // namespace

TEST_CASE(
    "Creating an application answers 201 with exactly id, name, secret and clientId, deprecated and not cacheable",
    "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = kt::PostJson(port, kApps, kt::NameBody("legacy-app"), admin);
  INFO(response.body);
  const json::object created = kt::CheckJsonObject(response, 201, kAppCreateMembers);
  ExpectDeprecated(response);
  CHECK(response.Header("Cache-Control") == "no-store");
  CHECK(kt::IsUuidV4(kt::StringField(created, "id")));
  CHECK(kt::StringField(created, "name") == "legacy-app");
  const std::string client_id = kt::StringField(created, "clientId");
  CHECK(kt::IsUrlSafe(client_id));
  const std::string secret = kt::StringField(created, "secret");
  CHECK(secret.size() >= 43);
  CHECK(kt::IsUrlSafe(secret));
  CHECK(secret != client_id);

  kt::CheckKeyMints(port, client_id, secret);
}

TEST_CASE("An application record has the nine service-account members on get and list, with deprecation headers",
          "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse empty = kt::Get(port, kApps, admin);
  REQUIRE(empty.status == 200);
  ExpectDeprecated(empty);
  REQUIRE(empty.Json().is_array());
  CHECK(empty.Json().as_array().empty());

  const App first = CreateApp(port, admin, "zz-first");
  const App second = CreateApp(port, admin, "aa-second");

  const kt::HttpResponse raw = kt::Get(port, kt::JoinPath(kApps, first.id), admin);
  REQUIRE(raw.status == 200);
  CHECK(raw.body.find(first.secret) == std::string::npos);
  CHECK(raw.body.find("ecret") == std::string::npos);

  const Record got = GetOn(port, kApps, admin, first.id);
  CHECK(got.id == first.id);
  CHECK(got.name == "zz-first");
  CHECK(got.client_id == first.client_id);
  CHECK(got.created_by == kt::kAdminEmail);
  CHECK(got.tenant_id == "1");
  CHECK(got.enabled);
  CHECK(got.last_login.empty());
  CHECK(got.updated_at >= got.created_at);

  const std::vector<Record> listed = ListOn(port, kApps, admin);
  CHECK(RecordIds(listed) == std::vector<std::string>{first.id, second.id});
  REQUIRE(listed.size() == 2);
  kt::CheckSameServiceAccount(got, listed[0]);
}

TEST_CASE("An application's credentials mint through the deprecated app_token grant with its own identity",
          "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const App app = CreateApp(port, admin, "old-client", std::vector<std::string>{"Research manager"});

  for (const char* member : {"appID", "appId"}) {
    INFO("id member " << member);
    const json::object claims = kt::JwtClaims(AppToken(port, app.client_id, app.secret, member));
    INFO(json::serialize(claims));
    CHECK(kt::StringField(claims, "sub") == app.id);
    CHECK(kt::StringField(claims, "preferred_username") == "old-client");
    CHECK(kt::StringField(claims, "client_id") == app.client_id);
    CHECK(kt::StringArrayField(claims, "roles") == std::vector<std::string>{"Research manager"});
  }
  // The current grant works too, and a wrong secret is refused under both.
  const std::string token = kt::ClientCredentialsToken(port, app.client_id, app.secret);
  REQUIRE_FALSE(token.empty());
  CHECK(kt::StringField(kt::JwtClaims(token), "sub") == app.id);
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret + "x"), 401);
  kt::CheckKeyRefused(port, app.client_id, app.secret + "x");

  // The exchange shows up as the application's lastLogin.
  const std::string last_login = kt::WaitForLastLogin(port, admin, kt::JoinPath(kApps, app.id));
  REQUIRE_FALSE(last_login.empty());
  CHECK(kt::IsTimestamp(last_login));
}

TEST_CASE("Regenerating an application secret answers exactly secret, deprecated, and revokes the old one",
          "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const App app = CreateApp(port, admin, "rotating");
  const Record before = GetOn(port, kApps, admin, app.id);

  const kt::HttpResponse response = RegenerateApp(port, admin, app.id);
  INFO(response.body);
  const json::object regenerated = kt::CheckJsonObject(response, 200, {"secret"});
  ExpectDeprecated(response);
  CHECK(response.Header("Cache-Control") == "no-store");
  const std::string secret = kt::StringField(regenerated, "secret");
  CHECK(secret.size() >= 43);
  CHECK(kt::IsUrlSafe(secret));
  CHECK(secret != app.secret);

  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret), 401);
  kt::CheckKeyRefused(port, app.client_id, app.secret);
  AppToken(port, app.client_id, secret);
  kt::CheckKeyMints(port, app.client_id, secret);

  const Record after = GetOn(port, kApps, admin, app.id);
  CHECK(after.id == before.id);
  CHECK(after.client_id == before.client_id);
  CHECK(after.created_at == before.created_at);
  CHECK(after.updated_at > before.updated_at);
}

TEST_CASE("Patching and deleting an application work as for service accounts, with deprecation headers",
          "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const App app = CreateApp(port, admin, "switchable");
  const App kept = CreateApp(port, admin, "kept");
  const Record original = GetOn(port, kApps, admin, app.id);

  const kt::HttpResponse disable = PatchApp(port, admin, app.id, json::object{{"enabled", false}});
  INFO(disable.body);
  REQUIRE(disable.status == 200);
  ExpectDeprecated(disable);
  const Record disabled = kt::CheckServiceAccount(kt::AsObject(disable.Json()));
  CHECK_FALSE(disabled.enabled);
  CHECK(disabled.id == original.id);
  CHECK(disabled.client_id == original.client_id);
  CHECK(disabled.created_at == original.created_at);
  CHECK(disabled.updated_at > original.updated_at);
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret), 401);
  kt::CheckKeyRefused(port, app.client_id, app.secret);
  kt::CheckOAuthError(kt::PostForm(port, "/api/v2/token",
                                   "grant_type=client_credentials&client_id=" + kt::FormEncode(app.client_id) +
                                       "&client_secret=" + kt::FormEncode(app.secret)),
                      401, "invalid_client");

  const kt::HttpResponse enable = PatchApp(port, admin, app.id, json::object{{"enabled", true}});
  REQUIRE(enable.status == 200);
  ExpectDeprecated(enable);
  CHECK(kt::CheckServiceAccount(kt::AsObject(enable.Json())).enabled);
  AppToken(port, app.client_id, app.secret);

  ExpectDeprecatedError(PatchApp(port, admin, app.id, json::object{}), 400);
  ExpectDeprecatedError(PatchApp(port, admin, app.id, json::object{{"enabled", "no"}}), 400);
  ExpectDeprecatedError(
      PatchApp(port, admin, app.id, json::object{{"enabled", true}, {"roles", json::array{"Overlord"}}}), 400);

  const kt::HttpResponse deleted = kt::Delete(port, kt::JoinPath(kApps, app.id), admin);
  INFO(deleted.body);
  REQUIRE(deleted.status == 204);
  CHECK(deleted.body.empty());
  ExpectDeprecated(deleted);
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret), 401);
  ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, app.id), admin), 404);
  ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kApps, app.id), admin), 404);
  ExpectDeprecatedError(PatchApp(port, admin, app.id, json::object{{"enabled", true}}), 404);
  ExpectDeprecatedError(RegenerateApp(port, admin, app.id), 404);
  CHECK(RecordIds(ListOn(port, kApps, admin)) == std::vector<std::string>{kept.id});
  AppToken(port, kept.client_id, kept.secret);
}

TEST_CASE("A record created under either path is visible and manageable under the other", "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  // Created as an application, managed as a service account.
  const App app = CreateApp(port, admin, "made-as-app", std::vector<std::string>{"Editor"});
  // Created as a service account, managed as an application.
  const App account = CreateAccount(port, admin, "made-as-account");

  for (const App* made : {&app, &account}) {
    INFO("record " << made->name);
    const Record as_app = GetOn(port, kApps, admin, made->id);
    const Record as_account = GetOn(port, kAccounts, admin, made->id);
    kt::CheckSameServiceAccount(as_app, as_account);
    CHECK(as_app.name == made->name);
    CHECK(as_app.client_id == made->client_id);
    CHECK(as_app.created_by == kt::kAdminEmail);
    CHECK(as_app.enabled);
  }
  const std::vector<std::string> both = {app.id, account.id};
  CHECK(RecordIds(ListOn(port, kApps, admin)) == both);
  CHECK(RecordIds(ListOn(port, kAccounts, admin)) == both);

  // The service account mints through the deprecated grant, the application through the current one.
  CHECK(kt::StringField(kt::JwtClaims(AppToken(port, account.client_id, account.secret)), "sub") == account.id);
  const std::string app_token = kt::ClientCredentialsToken(port, app.client_id, app.secret);
  REQUIRE_FALSE(app_token.empty());
  CHECK(kt::StringArrayField(kt::JwtClaims(app_token), "roles") == std::vector<std::string>{"Editor"});

  // Names are one namespace across both paths.
  ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("made-as-account"), admin), 409);
  kt::CheckError(kt::PostJson(port, kAccounts, kt::NameBody("made-as-app"), admin), 409);

  // Disabled on one path, seen disabled on the other.
  const kt::HttpResponse disable =
      kt::PatchJson(port, kt::JoinPath(kAccounts, app.id), json::object{{"enabled", false}}, admin);
  REQUIRE(disable.status == 200);
  CHECK_FALSE(GetOn(port, kApps, admin, app.id).enabled);
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret), 401);
  const kt::HttpResponse enable =
      PatchApp(port, admin, app.id, json::object{{"enabled", true}, {"roles", json::array{"Viewer"}}});
  REQUIRE(enable.status == 200);
  CHECK(GetOn(port, kAccounts, admin, app.id).enabled);
  CHECK(kt::StringArrayField(kt::JwtClaims(AppToken(port, app.client_id, app.secret)), "roles") ==
        std::vector<std::string>{"Viewer"});

  // Regenerated under one path, revoked under both.
  const kt::HttpResponse regenerated = RegenerateApp(port, admin, account.id);
  REQUIRE(regenerated.status == 200);
  const std::string new_secret = kt::StringField(kt::AsObject(regenerated.Json()), "secret");
  kt::CheckKeyRefused(port, account.client_id, account.secret);
  kt::CheckKeyMints(port, account.client_id, new_secret);
  const kt::HttpResponse regenerated_app =
      kt::PostJson(port, kt::JoinPath(kAccounts, app.id) + "/secret", json::object{}, admin);
  REQUIRE(regenerated_app.status == 200);
  const std::string app_secret = kt::StringField(kt::AsObject(regenerated_app.Json()), "clientSecret");
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret), 401);
  AppToken(port, app.client_id, app_secret);

  // Deleted under one path, gone under both.
  const kt::HttpResponse deleted = kt::Delete(port, kt::JoinPath(kApps, account.id), admin);
  REQUIRE(deleted.status == 204);
  ExpectDeprecated(deleted);
  kt::CheckError(kt::Get(port, kt::JoinPath(kAccounts, account.id), admin), 404);
  REQUIRE(kt::Delete(port, kt::JoinPath(kAccounts, app.id), admin).status == 204);
  ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, app.id), admin), 404);
  CHECK(ListOn(port, kApps, admin).empty());
  CHECK(ListOn(port, kAccounts, admin).empty());
  kt::CheckKeyRefused(port, account.client_id, new_secret);
  kt::CheckKeyRefused(port, app.client_id, app_secret);
}

TEST_CASE("Application names follow the service-account rules with 400, 409 and 415, with deprecation headers",
          "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (const std::string& name : kt::InvalidCredentialNames()) {
    INFO("name '" << name.substr(0, 40) << "' (" << name.size() << " chars)");
    const std::string message = ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody(name), admin), 400);
    CHECK(kt::Lower(message).find("name") != std::string::npos);
  }
  ExpectDeprecatedError(kt::PostJson(port, kApps, json::object{}, admin), 400);
  ExpectDeprecatedError(kt::PostJson(port, kApps, json::object{{"name", 7}}, admin), 400);
  ExpectDeprecatedError(kt::PostJson(port, kApps, json::object{{"name", "ab"}, {"roles", "Viewer"}}, admin), 400);
  ExpectDeprecatedError(
      kt::PostJson(port, kApps, json::object{{"name", "ab"}, {"roles", json::array{"Overlord"}}}, admin), 400);
  ExpectDeprecatedError(
      kt::Send(port, "POST", kApps, "{", {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}}),
      400);
  ExpectDeprecatedError(kt::Send(port, "POST", kApps, "{\"name\":\"ab\"}",
                                 {{"Authorization", "Bearer " + admin}, {"Content-Type", "text/plain"}}),
                        415);
  CHECK(ListOn(port, kApps, admin).empty());

  CreateApp(port, admin, "ci");
  ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("ci"), admin), 409);
  CHECK(ListOn(port, kApps, admin).size() == 1);
}

TEST_CASE("Application endpoints answer 401 and 403 with deprecation headers", "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const App app = CreateApp(port, admin, "guarded");
  const Record before = GetOn(port, kApps, admin, app.id);
  const std::string item = kt::JoinPath(kApps, app.id);
  const kt::CreatedUser viewer = kt::CreateUser(port, admin, "viewer@example.com", {"Viewer"});

  struct Caller {
    std::string token;
    int status;
  };
  const std::vector<Caller> callers = {
      {"", 401}, {"garbage", 401}, {app.secret, 401}, {kt::TamperSignature(admin), 401}, {viewer.token, 403}};
  for (const auto& caller : callers) {
    INFO("token '" << caller.token << "' expecting " << caller.status);
    ExpectDeprecatedError(kt::Get(port, kApps, caller.token), caller.status);
    ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("intruder"), caller.token), caller.status);
    ExpectDeprecatedError(kt::Get(port, item, caller.token), caller.status);
    ExpectDeprecatedError(PatchApp(port, caller.token, app.id, json::object{{"enabled", false}}), caller.status);
    ExpectDeprecatedError(RegenerateApp(port, caller.token, app.id), caller.status);
    ExpectDeprecatedError(kt::Delete(port, item, caller.token), caller.status);
    if (caller.status == 401) {
      const kt::HttpResponse response = kt::Get(port, kApps, caller.token);
      INFO("WWW-Authenticate: " << response.Header("WWW-Authenticate"));
      CHECK(response.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    }
  }

  // Nothing changed.
  kt::CheckSameServiceAccount(before, GetOn(port, kApps, admin, app.id));
  CHECK(ListOn(port, kApps, admin).size() == 1);
  AppToken(port, app.client_id, app.secret);
}

TEST_CASE("Unknown ids and wrong methods on application paths answer 404 and 405 with deprecation headers",
          "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const App app = CreateApp(port, admin, "methods");
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "not-an-app");

  for (const std::string& id : {kt::kUnknownUuid, kt::kNotAUuid, key.id}) {
    INFO("id " << id);
    ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, id), admin), 404);
    ExpectDeprecatedError(PatchApp(port, admin, id, json::object{{"enabled", false}}), 404);
    ExpectDeprecatedError(RegenerateApp(port, admin, id), 404);
    ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kApps, id), admin), 404);
  }

  const kt::HttpResponse put = kt::PutJson(port, kt::JoinPath(kApps, app.id), kt::NameBody("renamed"), admin);
  ExpectDeprecatedError(put, 405);
  CHECK(put.Header("Allow").find("GET") != std::string::npos);
  CHECK(put.Header("Allow").find("PATCH") != std::string::npos);
  CHECK(put.Header("Allow").find("DELETE") != std::string::npos);
  const kt::HttpResponse del = kt::Delete(port, kApps, admin);
  ExpectDeprecatedError(del, 405);
  CHECK(del.Header("Allow").find("GET") != std::string::npos);
  CHECK(del.Header("Allow").find("POST") != std::string::npos);
  const kt::HttpResponse get_secret = kt::Get(port, kt::JoinPath(kApps, app.id) + "/secret", admin);
  ExpectDeprecatedError(get_secret, 405);
  CHECK(get_secret.Header("Allow").find("POST") != std::string::npos);

  // Nothing changed.
  CHECK(GetOn(port, kApps, admin, app.id).name == "methods");
  AppToken(port, app.client_id, app.secret);
  kt::CheckKeyMints(port, key.client_id, key.client_secret);
}

TEST_CASE("A body over the limit on an application path answers 413 with deprecation headers", "[integration][apps]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const App app = CreateApp(port, admin, "bulky");

  const std::string huge_name = std::string(70 * 1024, 'a');
  ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody(huge_name), admin), 413);
  ExpectDeprecatedError(
      PatchApp(port, admin, app.id, json::object{{"enabled", false}, {"padding", std::string(70 * 1024, 'x')}}), 413);

  // Nothing changed and the server keeps serving.
  const Record after = GetOn(port, kApps, admin, app.id);
  CHECK(after.enabled);
  CHECK(ListOn(port, kApps, admin).size() == 1);
}
