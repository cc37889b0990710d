// User applications (API.md §5, seed 000): the deprecated names of access keys,
// driven over HTTP against the real keymint binary.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace {

namespace json = boost::json;
namespace kt = keymint::testing;

constexpr const char* kApps = "/api/v1/user-applications";
constexpr const char* kAdminApps = "/api/v1/administration/user-applications";
constexpr const char* kKeys = "/api/v1/access-keys";
// The successor path, then the migration guide keymint serves (RFC 9745 rel="deprecation").
constexpr const char* kSuccessorLink =
    "</api/v1/access-keys>; rel=\"successor-version\", </docs/migration>; rel=\"deprecation\"; type=\"text/markdown\"";

const std::vector<std::string> kCreateMembers = kt::Sorted({"id", "clientId", "name", "secret", "createdAt"});

// Every response on the user-applications paths announces the deprecation.
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

kt::HttpResponse AppTokenExchange(uint16_t port, const std::string& app_id, const std::string& secret) {
  return kt::PostJson(port, "/api/v1/token",
                      json::object{{"grantType", "app_token"}, {"appID", app_id}, {"appSecret", secret}});
}

struct CreatedApp {
  std::string id, name, client_id, secret, created_at;
};

CreatedApp CreateApp(uint16_t port, const std::string& token, const std::string& name) {
  const kt::HttpResponse response = kt::PostJson(port, kApps, kt::NameBody(name), token);
  INFO("create " << name << ": " << response.body);
  REQUIRE(response.status == 201);
  ExpectDeprecated(response);
  const json::value body = response.Json();
  const json::object& app = kt::AsObject(body);
  return {kt::StringField(app, "id"), kt::StringField(app, "name"), kt::StringField(app, "clientId"),
          kt::StringField(app, "secret"), kt::StringField(app, "createdAt")};
}

json::object GetApp(uint16_t port, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kApps, id), token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  ExpectDeprecated(response);
  return kt::AsObject(response.Json());
}

json::array ListApps(uint16_t port, const std::string& token) {
  const kt::HttpResponse response = kt::Get(port, kApps, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  ExpectDeprecated(response);
  return kt::AsArray(response.Json());
}

json::array AdminListApps(uint16_t port, const std::string& token, const std::string& query = "") {
  const kt::HttpResponse response = kt::Get(port, std::string(kAdminApps) + query, token);
  INFO(query << " -> " << response.body);
  REQUIRE(response.status == 200);
  ExpectDeprecated(response);
  const json::array apps = kt::AsArray(response.Json());
  for (const auto& item : apps) kt::CheckAdminAccessKey(kt::AsObject(item));
  return apps;
}

kt::HttpResponse RegenerateApp(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PostJson(port, kt::JoinPath(kApps, id) + "/secret", json::object{}, token);
}

}  // namespace

TEST_CASE("Creating a user application answers 201 with exactly id, clientId, name, secret and createdAt",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = kt::PostJson(port, kApps, kt::NameBody("legacy-app"), admin);
  INFO(response.body);
  const json::object app = kt::CheckJsonObject(response, 201, kCreateMembers);
  ExpectDeprecated(response);
  CHECK(kt::IsUuidV4(kt::StringField(app, "id")));
  CHECK(kt::StringField(app, "name") == "legacy-app");
  CHECK(kt::IsUrlSafe(kt::StringField(app, "clientId")));
  const std::string secret = kt::StringField(app, "secret");
  CHECK(secret.size() >= 43);
  CHECK(kt::IsUrlSafe(secret));
  CHECK(kt::IsTimestamp(kt::StringField(app, "createdAt")));

  kt::CheckKeyMints(port, kt::StringField(app, "clientId"), secret);
}

TEST_CASE("A user application's credentials mint through the deprecated app_token grant", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "old-client");

  const kt::HttpResponse response = AppTokenExchange(port, app.client_id, app.secret);
  INFO(response.body);
  REQUIRE(response.status == 200);
  const std::string jwt = kt::StringField(kt::AsObject(response.Json()), "accessToken");
  const json::object claims = kt::JwtClaims(jwt);
  CHECK(kt::StringField(claims, "client_id") == app.client_id);
  CHECK(kt::StringField(claims, "preferred_username") == kt::kAdminEmail);

  // The alternative spelling appId is accepted, and a wrong secret is refused.
  CHECK(kt::PostJson(port, "/api/v1/token",
                     json::object{{"grantType", "app_token"}, {"appId", app.client_id}, {"appSecret", app.secret}})
            .status == 200);
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret + "x"), 401);
}

TEST_CASE("Getting a user application answers exactly name, id, clientId, createdAt and a null lastLogin",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "getter");

  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kApps, app.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 200);
  ExpectDeprecated(response);
  const json::value body = response.Json();
  const json::object& got = kt::AsObject(body);
  CHECK(kt::CheckAccessKey(got, app.id, app.name, app.client_id).empty());
  CHECK(kt::StringField(got, "createdAt") == app.created_at);
  CHECK(response.body.find(app.secret) == std::string::npos);
  CHECK(response.body.find("ecret") == std::string::npos);
}

TEST_CASE("Listing user applications answers a bare array of the caller's apps in creation order", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "judy@example.com");

  const kt::HttpResponse empty = kt::Get(port, kApps, admin);
  REQUIRE(empty.status == 200);
  ExpectDeprecated(empty);
  REQUIRE(empty.Json().is_array());
  CHECK(empty.Json().as_array().empty());

  std::vector<CreatedApp> created;
  for (const std::string name : {"zz-top", "aa-first", "mm-middle"}) {
    created.push_back(CreateApp(port, admin, name));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const CreatedApp foreign = CreateApp(port, user.token, "judys");

  const kt::HttpResponse raw = kt::Get(port, kApps, admin);
  REQUIRE(raw.status == 200);
  CHECK(raw.body.find("ecret") == std::string::npos);
  const json::array apps = ListApps(port, admin);
  REQUIRE(apps.size() == created.size());
  for (size_t i = 0; i < apps.size(); ++i) {
    INFO("index " << i);
    CHECK(kt::CheckAccessKey(kt::AsObject(apps[i]), created[i].id, created[i].name, created[i].client_id).empty());
  }
  CHECK(kt::Ids(ListApps(port, user.token)) == std::vector<std::string>{foreign.id});
}

TEST_CASE("Regenerating a user application secret answers only clientSecret and revokes the old one", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "rotating");
  kt::CheckKeyMints(port, app.client_id, app.secret);

  const kt::HttpResponse response = RegenerateApp(port, admin, app.id);
  INFO(response.body);
  const json::object regenerated = kt::CheckJsonObject(response, 200, {"clientSecret"});
  ExpectDeprecated(response);
  const std::string secret = kt::StringField(regenerated, "clientSecret");
  CHECK(secret.size() >= 43);
  CHECK(kt::IsUrlSafe(secret));
  CHECK(secret != app.secret);

  kt::CheckKeyRefused(port, app.client_id, app.secret);
  kt::CheckError(AppTokenExchange(port, app.client_id, app.secret), 401);
  kt::CheckKeyMints(port, app.client_id, secret);
  kt::CheckAccessKey(GetApp(port, admin, app.id), app.id, app.name, app.client_id);
}

TEST_CASE("Deleting a user application answers 204 with no body and its credentials never mint again",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp doomed = CreateApp(port, admin, "doomed");
  const CreatedApp kept = CreateApp(port, admin, "kept");

  const kt::HttpResponse response = kt::Delete(port, kt::JoinPath(kApps, doomed.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());
  ExpectDeprecated(response);

  kt::CheckKeyRefused(port, doomed.client_id, doomed.secret);
  kt::CheckError(AppTokenExchange(port, doomed.client_id, doomed.secret), 401);
  ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, doomed.id), admin), 404);
  ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kApps, doomed.id), admin), 404);
  ExpectDeprecatedError(RegenerateApp(port, admin, doomed.id), 404);
  CHECK(kt::Ids(ListApps(port, admin)) == std::vector<std::string>{kept.id});
  kt::CheckKeyMints(port, kept.client_id, kept.secret);
}

TEST_CASE("Another user's application, an unknown id and a non-UUID id are 404 with deprecation headers",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "ken@example.com");
  const CreatedApp admin_app = CreateApp(port, admin, "admin-app");
  const CreatedApp user_app = CreateApp(port, user.token, "user-app");

  struct Probe {
    std::string token, id;
  };
  const std::vector<Probe> probes = {
      {user.token, admin_app.id}, {admin, user_app.id}, {admin, kt::kUnknownUuid}, {admin, kt::kNotAUuid}};
  for (const auto& probe : probes) {
    INFO("id " << probe.id);
    ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, probe.id), probe.token), 404);
    ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kApps, probe.id), probe.token), 404);
    ExpectDeprecatedError(RegenerateApp(port, probe.token, probe.id), 404);
  }
  ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kAdminApps, kt::kUnknownUuid), admin), 404);
  ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kAdminApps, kt::kNotAUuid), admin), 404);

  kt::CheckKeyMints(port, admin_app.client_id, admin_app.secret);
  kt::CheckKeyMints(port, user_app.client_id, user_app.secret);
}

TEST_CASE("User application names follow the access-key rules with 400 and 409, with deprecation headers",
          "[integration]") {
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
  ExpectDeprecatedError(
      kt::Send(port, "POST", kApps, "{", {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}}),
      400);
  CHECK(ListApps(port, admin).empty());

  CreateApp(port, admin, "ci");
  ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("ci"), admin), 409);
  // Names are shared with access keys: the same owner cannot reuse one across the two names.
  kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("ci"), admin), 409);
  kt::CreateAccessKey(port, admin, "cd");
  ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("cd"), admin), 409);

  // Another user may use the same name.
  const kt::CreatedUser user = kt::CreateUser(port, admin, "leo@example.com");
  CreateApp(port, user.token, "ci");
  CHECK(ListApps(port, admin).size() == 2);
}

TEST_CASE("The per-user key limit counts user applications and access keys together", "[integration]") {
  kt::ProcessOptions options;
  options.env.emplace("KEYMINT_MAX_KEYS_PER_USER", "3");
  kt::KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  kt::CreateAccessKey(port, admin, "key-one");
  kt::CreateAccessKey(port, admin, "key-two");
  CreateApp(port, admin, "app-one");
  const std::string message = ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("app-two"), admin), 400);
  CHECK(message.find('3') != std::string::npos);
  kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("key-three"), admin), 400);
  CHECK(ListApps(port, admin).size() == 3);
}

TEST_CASE("A key created under either name is visible, usable and deletable under the other", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  // Created as an access key, seen and managed as a user application.
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "made-as-key");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const json::object as_app = GetApp(port, admin, key.id);
  kt::CheckAccessKey(as_app, key.id, key.name, key.client_id);
  CHECK(AppTokenExchange(port, key.client_id, key.client_secret).status == 200);

  // Created as a user application, seen and managed as an access key.
  const CreatedApp app = CreateApp(port, admin, "made-as-app");
  const kt::HttpResponse as_key = kt::Get(port, kt::JoinPath(kKeys, app.id), admin);
  REQUIRE(as_key.status == 200);
  CHECK(kt::StringField(kt::AsObject(as_key.Json()), "clientId") == app.client_id);
  CHECK(kt::StringField(kt::AsObject(as_key.Json()), "name") == app.name);
  CHECK(kt::StringField(kt::AsObject(as_key.Json()), "createdAt") == app.created_at);
  kt::CheckKeyMints(port, app.client_id, app.secret);

  // Both lists show both, in creation order.
  const std::vector<std::string> both = {key.id, app.id};
  CHECK(kt::Ids(ListApps(port, admin)) == both);
  CHECK(kt::Ids(kt::ListAccessKeys(port, admin)) == both);
  CHECK(kt::Ids(AdminListApps(port, admin)) == both);

  // Regenerating under one name revokes under the other.
  const kt::HttpResponse regenerated =
      kt::PostJson(port, kt::JoinPath(kKeys, app.id) + "/secret", json::object{}, admin);
  REQUIRE(regenerated.status == 200);
  const std::string new_secret = kt::StringField(kt::AsObject(regenerated.Json()), "clientSecret");
  kt::CheckKeyRefused(port, app.client_id, app.secret);
  kt::CheckKeyMints(port, app.client_id, new_secret);

  const kt::HttpResponse app_regenerated = RegenerateApp(port, admin, key.id);
  REQUIRE(app_regenerated.status == 200);
  const std::string key_secret = kt::StringField(kt::AsObject(app_regenerated.Json()), "clientSecret");
  kt::CheckKeyRefused(port, key.client_id, key.client_secret);
  kt::CheckKeyMints(port, key.client_id, key_secret);

  // Deleting under one name removes it under both.
  const kt::HttpResponse deleted = kt::Delete(port, kt::JoinPath(kApps, key.id), admin);
  REQUIRE(deleted.status == 204);
  ExpectDeprecated(deleted);
  kt::CheckError(kt::Get(port, kt::JoinPath(kKeys, key.id), admin), 404);
  REQUIRE(kt::Delete(port, kt::JoinPath(kKeys, app.id), admin).status == 204);
  ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, app.id), admin), 404);
  CHECK(ListApps(port, admin).empty());
  kt::CheckKeyRefused(port, key.client_id, key_secret);
  kt::CheckKeyRefused(port, app.client_id, new_secret);
}

TEST_CASE("A token exchange shows up as the user application's lastLogin within about a second", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "busy-app");

  REQUIRE(AppTokenExchange(port, app.client_id, app.secret).status == 200);
  const auto exchanged = std::chrono::steady_clock::now();
  const std::string last_login = kt::PollUntilNonEmpty(
      [&] { return kt::CheckAccessKey(GetApp(port, admin, app.id), app.id, app.name, app.client_id); });
  INFO("waited "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - exchanged).count()
       << " ms");
  REQUIRE_FALSE(last_login.empty());  // PollUntilNonEmpty's wait is bounded
  CHECK(last_login >= app.created_at);

  const json::array listed = ListApps(port, admin);
  REQUIRE(listed.size() == 1);
  CHECK(kt::StringField(kt::AsObject(listed[0]), "lastLogin") == last_login);
  const json::array administered = AdminListApps(port, admin);
  REQUIRE(administered.size() == 1);
  CHECK(kt::StringField(kt::AsObject(administered[0]), "lastLogin") == last_login);
}

TEST_CASE("The administration user-applications list is a bare array of every user's apps, filtered", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "mallory@example.com");

  CHECK(AdminListApps(port, admin).empty());

  const CreatedApp first = CreateApp(port, admin, "first");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const CreatedApp second = CreateApp(port, user.token, "second");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const kt::CreatedKey third = kt::CreateAccessKey(port, user.token, "third");

  const kt::HttpResponse raw = kt::Get(port, kAdminApps, admin);
  REQUIRE(raw.status == 200);
  CHECK(raw.body.find("ecret") == std::string::npos);

  const json::array all = AdminListApps(port, admin);
  REQUIRE(all.size() == 3);
  CHECK(kt::Ids(all) == std::vector<std::string>{first.id, second.id, third.id});
  CHECK(kt::StringField(kt::AsObject(all[0]), "createdBy") == kt::kAdminEmail);
  CHECK(kt::StringField(kt::AsObject(all[1]), "createdBy") == "mallory@example.com");
  CHECK(kt::StringField(kt::AsObject(all[2]), "createdBy") == "mallory@example.com");
  CHECK(kt::StringField(kt::AsObject(all[1]), "name") == "second");
  CHECK(kt::StringField(kt::AsObject(all[1]), "clientId") == second.client_id);
  CHECK(kt::StringField(kt::AsObject(all[1]), "createdAt") == second.created_at);

  CHECK(kt::Ids(AdminListApps(port, admin, "?clientId=" + second.client_id)) == std::vector<std::string>{second.id});
  CHECK(kt::Ids(AdminListApps(port, admin, "?createdBy=mallory@example.com")) ==
        std::vector<std::string>{second.id, third.id});
  CHECK(kt::Ids(AdminListApps(port, admin, "?createdBy=mallory%40example.com&clientId=" + third.client_id)) ==
        std::vector<std::string>{third.id});
  CHECK(AdminListApps(port, admin, "?createdBy=nobody@example.com").empty());
  CHECK(AdminListApps(port, admin, "?clientId=unknown").empty());
}

TEST_CASE("An administrator deletes any user's application with 204 and deprecation headers", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "niaj@example.com");
  const CreatedApp doomed = CreateApp(port, user.token, "doomed");
  const CreatedApp kept = CreateApp(port, user.token, "kept");

  const kt::HttpResponse response = kt::Delete(port, kt::JoinPath(kAdminApps, doomed.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());
  ExpectDeprecated(response);

  kt::CheckKeyRefused(port, doomed.client_id, doomed.secret);
  CHECK(kt::Ids(ListApps(port, user.token)) == std::vector<std::string>{kept.id});
  CHECK(kt::Ids(AdminListApps(port, admin)) == std::vector<std::string>{kept.id});
  ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kAdminApps, doomed.id), admin), 404);
  kt::CheckKeyMints(port, kept.client_id, kept.secret);

  // The same record is deletable through the current administration path too.
  REQUIRE(kt::Delete(port, kt::JoinPath("/api/v1/administration/access-keys", kept.id), admin).status == 204);
  CHECK(ListApps(port, user.token).empty());
}

TEST_CASE("The administration user-applications endpoints are 403 for non-administrators, with deprecation headers",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "protected");
  const kt::CreatedUser user = kt::CreateUser(port, admin, "olivia@example.com", {"Research manager"});

  ExpectDeprecatedError(kt::Get(port, kAdminApps, user.token), 403);
  ExpectDeprecatedError(kt::Get(port, std::string(kAdminApps) + "?clientId=" + app.client_id, user.token), 403);
  ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kAdminApps, app.id), user.token), 403);
  kt::CheckKeyMints(port, app.client_id, app.secret);
  // The user's own applications are still theirs to manage.
  CreateApp(port, user.token, "mine");
}

TEST_CASE("User application endpoints answer 401 without a valid bearer token, with deprecation headers",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "guarded");

  for (const auto& token : {std::string(), std::string("garbage"), app.secret}) {
    INFO("token '" << token << "'");
    ExpectDeprecatedError(kt::Get(port, kApps, token), 401);
    ExpectDeprecatedError(kt::PostJson(port, kApps, kt::NameBody("intruder"), token), 401);
    ExpectDeprecatedError(kt::Get(port, kt::JoinPath(kApps, app.id), token), 401);
    ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kApps, app.id), token), 401);
    ExpectDeprecatedError(RegenerateApp(port, token, app.id), 401);
    ExpectDeprecatedError(kt::Get(port, kAdminApps, token), 401);
    ExpectDeprecatedError(kt::Delete(port, kt::JoinPath(kAdminApps, app.id), token), 401);
  }
  kt::CheckKeyMints(port, app.client_id, app.secret);
  CHECK(ListApps(port, admin).size() == 1);
}

TEST_CASE("A wrong method or content type on a user-applications path still carries deprecation headers",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedApp app = CreateApp(port, admin, "methods");

  const kt::HttpResponse put = kt::PutJson(port, kt::JoinPath(kApps, app.id), kt::NameBody("renamed"), admin);
  ExpectDeprecatedError(put, 405);
  CHECK(put.Header("Allow").find("GET") != std::string::npos);
  CHECK(put.Header("Allow").find("DELETE") != std::string::npos);

  ExpectDeprecatedError(kt::Send(port, "POST", kApps, "{\"name\":\"ab\"}",
                                 {{"Authorization", "Bearer " + admin}, {"Content-Type", "text/plain"}}),
                        415);
  CHECK(ListApps(port, admin).size() == 1);
}

TEST_CASE("The Deprecation date and a Sunset come from the settings, and the guide they link to is served",
          "[integration]") {
  kt::KeymintProcess server(
      kt::WithEnv({{"KEYMINT_DEPRECATION_DATE", "2024-06-01"}, {"KEYMINT_SUNSET_DATE", "2027-01-01"}}));
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (const std::string& path : {std::string(kApps), std::string("/api/v1/apps")}) {
    INFO(path);
    const kt::HttpResponse response = kt::Get(port, path, admin);
    CHECK(response.status == 200);
    CHECK(response.Header("Deprecation") == "@1717200000");  // 2024-06-01T00:00:00Z
    CHECK(response.Header("Sunset") == "Fri, 01 Jan 2027 00:00:00 GMT");
  }
  const kt::HttpResponse current = kt::Get(port, kKeys, admin);
  CHECK(current.status == 200);
  CHECK(current.Header("Deprecation").empty());
  CHECK(current.Header("Sunset").empty());

  // The rel="deprecation" target, without a login: what a client that follows the link gets.
  const kt::HttpResponse guide = kt::Get(port, "/docs/migration");
  REQUIRE(guide.status == 200);
  CHECK(guide.Header("Content-Type") == "text/markdown; charset=utf-8");
  CHECK(guide.Header("Cache-Control") == "public, max-age=86400");
  for (const char* mentioned : {"/api/v1/user-applications", "/api/v1/access-keys", "/api/v1/apps",
                                "/api/v1/service-accounts", "clientSecret"}) {
    CHECK(guide.body.find(mentioned) != std::string::npos);
  }
}
