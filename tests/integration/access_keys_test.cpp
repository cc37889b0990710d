// Access keys (API.md §4, seed 004) driven over HTTP against the real keymint binary.
#include <algorithm>
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

constexpr const char* kKeys = "/api/v1/access-keys";
constexpr const char* kAdminKeys = "/api/v1/administration/access-keys";

const std::vector<std::string> kCreateMembers = kt::Sorted({"id", "name", "clientId", "clientSecret", "createdAt"});

json::object GetKey(uint16_t port, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kKeys, id), token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return kt::AsObject(response.Json());
}

json::array AdminList(uint16_t port, const std::string& token, const std::string& query = "") {
  const kt::HttpResponse response = kt::Get(port, std::string(kAdminKeys) + query, token);
  INFO(query << " -> " << response.body);
  REQUIRE(response.status == 200);
  const json::value body = response.Json();
  const json::object& list = kt::AsObject(body);
  CHECK(kt::Keys(list) == std::vector<std::string>{"accessKeys"});
  const json::array keys = kt::AsArray(list.at("accessKeys"));
  for (const auto& item : keys) kt::CheckAdminAccessKey(kt::AsObject(item));
  return keys;
}

// Creates keys a few milliseconds apart so that createdAt orders them unambiguously.
std::vector<kt::CreatedKey> CreateKeys(uint16_t port, const std::string& token, const std::vector<std::string>& names) {
  std::vector<kt::CreatedKey> keys;
  for (const auto& name : names) {
    keys.push_back(kt::CreateAccessKey(port, token, name));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return keys;
}

kt::HttpResponse PostRaw(uint16_t port, const std::string& target, const std::string& body, const std::string& token,
                         const std::string& content_type = "application/json") {
  kt::Headers headers{{"Authorization", "Bearer " + token}};
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return kt::Send(port, "POST", target, body, headers);
}

kt::HttpResponse Regenerate(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PostJson(port, kt::JoinPath(kKeys, id) + "/secret", json::object{}, token);
}

}  // namespace

TEST_CASE("Creating an access key answers 201 with exactly id, name, clientId, clientSecret and createdAt",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = kt::PostJson(port, kKeys, kt::NameBody("ci-pipeline_1"), admin);
  INFO(response.body);
  const json::object created = kt::CheckJsonObject(response, 201, kCreateMembers);
  // The secret is shown once: no cache may keep the answer.
  CHECK(response.Header("Cache-Control") == "no-store");
  CHECK(response.Header("Pragma") == "no-cache");
  CHECK(kt::IsUuidV4(kt::StringField(created, "id")));
  CHECK(kt::StringField(created, "name") == "ci-pipeline_1");
  CHECK(kt::IsUrlSafe(kt::StringField(created, "clientId")));
  const std::string secret = kt::StringField(created, "clientSecret");
  CHECK(secret.size() >= 43);
  CHECK(kt::IsUrlSafe(secret));
  CHECK(kt::IsTimestamp(kt::StringField(created, "createdAt")));
  CHECK(kt::StringField(created, "clientId") != secret);
  // The current endpoints are not deprecated.
  CHECK(response.Header("Deprecation").empty());

  // The returned credentials mint a token right away.
  kt::CheckKeyMints(port, kt::StringField(created, "clientId"), secret);
}

TEST_CASE("Two access keys get distinct ids, client IDs and secrets", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::CreatedKey first = kt::CreateAccessKey(port, admin, "first");
  const kt::CreatedKey second = kt::CreateAccessKey(port, admin, "second");
  CHECK(first.id != second.id);
  CHECK(first.client_id != second.client_id);
  CHECK(first.client_secret != second.client_secret);
  // A key's secret does not work with another key's client ID.
  kt::CheckKeyRefused(port, first.client_id, second.client_secret);
  kt::CheckKeyRefused(port, second.client_id, first.client_secret);
  kt::CheckKeyMints(port, first.client_id, first.client_secret);
  kt::CheckKeyMints(port, second.client_id, second.client_secret);
}

TEST_CASE("A token minted from an access key carries the owner's identity, client ID and roles", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "carol@example.com", {"Editor", "ML engineer"});
  const kt::CreatedKey key = kt::CreateAccessKey(port, user.token, "carol-key");

  const std::string jwt = kt::ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(jwt.empty());
  const json::object claims = kt::JwtClaims(jwt);
  INFO(json::serialize(claims));
  CHECK(kt::StringField(claims, "sub") == user.id);
  CHECK(kt::StringField(claims, "client_id") == key.client_id);
  CHECK(kt::StringField(claims, "preferred_username") == "carol@example.com");
  CHECK(kt::Sorted(kt::StringArrayField(claims, "roles")) == kt::Sorted({"Editor", "ML engineer"}));

  // The minted token authenticates management calls as the owner.
  const json::array keys = kt::ListAccessKeys(port, jwt);
  REQUIRE(keys.size() == 1);
  CHECK(kt::StringField(kt::AsObject(keys[0]), "id") == key.id);
}

TEST_CASE("Getting an access key answers exactly name, clientId, id, createdAt and a null lastLogin", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "reader");

  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kKeys, key.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const json::value body = response.Json();
  const json::object& got = kt::AsObject(body);
  CHECK(kt::CheckAccessKey(got, key).empty());
  CHECK(got.at("lastLogin").is_null());
  CHECK(response.body.find(key.client_secret) == std::string::npos);
  CHECK(response.body.find("ecret") == std::string::npos);
}

TEST_CASE("Listing access keys answers the caller's keys wrapped in accessKeys, in creation order, without secrets",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  CHECK(kt::ListAccessKeys(port, admin).empty());

  const std::vector<kt::CreatedKey> created = CreateKeys(port, admin, {"zeta", "alpha", "mid-key"});
  const kt::HttpResponse response = kt::Get(port, kKeys, admin);
  REQUIRE(response.status == 200);
  for (const auto& key : created) CHECK(response.body.find(key.client_secret) == std::string::npos);
  CHECK(response.body.find("ecret") == std::string::npos);

  const json::array keys = kt::ListAccessKeys(port, admin);
  REQUIRE(keys.size() == 3);
  std::string previous_created_at;
  for (size_t i = 0; i < keys.size(); ++i) {
    const json::object& key = kt::AsObject(keys[i]);
    CHECK(kt::CheckAccessKey(key, created[i]).empty());
    const std::string created_at = kt::StringField(key, "createdAt");
    CHECK(created_at >= previous_created_at);
    previous_created_at = created_at;
  }
}

TEST_CASE("Each user's access-key list holds only that user's keys", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "dave@example.com");

  const kt::CreatedKey admin_key = kt::CreateAccessKey(port, admin, "admin-key");
  const kt::CreatedKey user_key = kt::CreateAccessKey(port, user.token, "user-key");

  CHECK(kt::Ids(kt::ListAccessKeys(port, admin)) == std::vector<std::string>{admin_key.id});
  CHECK(kt::Ids(kt::ListAccessKeys(port, user.token)) == std::vector<std::string>{user_key.id});
}

TEST_CASE("Access key names that break the length or pattern rules are 400 naming the field", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (const auto& name : kt::InvalidCredentialNames()) {
    INFO("name \"" << name << "\" (" << name.size() << " chars)");
    const std::string message = kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody(name), admin), 400);
    CHECK(kt::Lower(message).find("name") != std::string::npos);
  }
  // Nothing was created by the rejected requests.
  CHECK(kt::ListAccessKeys(port, admin).empty());
}

TEST_CASE("Access key names at the edges of the rules are accepted", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<std::string> good_names = {
      "ab", "a1", "a-b", "a_b", "a--__9", "x0-y_z", std::string(255, 'z'), "a" + std::string(253, '-') + "b"};
  for (const auto& name : good_names) {
    INFO("name of " << name.size() << " chars: " << name.substr(0, 20));
    const kt::HttpResponse response = kt::PostJson(port, kKeys, kt::NameBody(name), admin);
    INFO(response.body);
    REQUIRE(response.status == 201);
    CHECK(kt::StringField(kt::AsObject(response.Json()), "name") == name);
  }
  CHECK(kt::ListAccessKeys(port, admin).size() == good_names.size());

  // JSON escapes are decoded before the name is checked.
  const kt::HttpResponse escaped = PostRaw(port, kKeys, "{\"name\":\"\\u0065scaped\"}", admin);
  INFO(escaped.body);
  REQUIRE(escaped.status == 201);
  CHECK(kt::StringField(kt::AsObject(escaped.Json()), "name") == "escaped");
}

TEST_CASE("Creating an access key without a string name, or with a malformed body, is 400", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<json::value> bodies = {
      json::object{},
      json::object{{"name", nullptr}},
      json::object{{"name", 42}},
      json::object{{"name", true}},
      json::object{{"name", json::array{"ab"}}},
      json::object{{"name", json::object{{"name", "ab"}}}},
      json::object{{"Name", "ab"}},
      json::array{json::object{{"name", "ab"}}},
      json::value("ab"),
      json::value(nullptr),
  };
  for (const auto& body : bodies) {
    INFO("body " << json::serialize(body));
    const std::string message = kt::CheckError(kt::PostJson(port, kKeys, body, admin), 400);
    if (body.is_object()) CHECK(kt::Lower(message).find("name") != std::string::npos);
  }
  for (const std::string raw : {"", "{", "{\"name\":", "{\"name\":\"ab\"", "name=ab", "{\"name\":\"ab\",}"}) {
    INFO("raw body '" << raw << "'");
    kt::CheckError(PostRaw(port, kKeys, raw, admin), 400);
  }
  CHECK(kt::ListAccessKeys(port, admin).empty());
}

TEST_CASE("Creating an access key with a non-JSON content type is 415", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  kt::CheckError(PostRaw(port, kKeys, "{\"name\":\"ab\"}", admin, "text/plain"), 415);
  kt::CheckError(PostRaw(port, kKeys, "name=ab", admin, "application/x-www-form-urlencoded"), 415);
  CHECK(kt::ListAccessKeys(port, admin).empty());
  // A charset parameter does not make JSON another content type.
  const kt::HttpResponse response = PostRaw(port, kKeys, "{\"name\":\"ab\"}", admin, "application/json; charset=utf-8");
  INFO(response.body);
  CHECK(response.status == 201);
}

TEST_CASE("A duplicate access key name for the same owner is 409 but another user may use the name", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "erin@example.com");

  const kt::CreatedKey admin_ci = kt::CreateAccessKey(port, admin, "ci");
  kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("ci"), admin), 409);
  CHECK(kt::ListAccessKeys(port, admin).size() == 1);

  const kt::CreatedKey user_ci = kt::CreateAccessKey(port, user.token, "ci");
  CHECK(user_ci.id != admin_ci.id);
  CHECK(user_ci.client_id != admin_ci.client_id);
  kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("ci"), user.token), 409);

  // The rejected duplicate left the original key untouched.
  kt::CheckKeyMints(port, admin_ci.client_id, admin_ci.client_secret);
  kt::CheckKeyMints(port, user_ci.client_id, user_ci.client_secret);

  // Once deleted, the name is free again for its owner.
  REQUIRE(kt::Delete(port, kt::JoinPath(kKeys, admin_ci.id), admin).status == 204);
  const kt::CreatedKey again = kt::CreateAccessKey(port, admin, "ci");
  CHECK(again.id != admin_ci.id);
}

TEST_CASE("Creating more keys than KEYMINT_MAX_KEYS_PER_USER is 400 with a message about the limit", "[integration]") {
  kt::ProcessOptions options;
  options.env.emplace("KEYMINT_MAX_KEYS_PER_USER", "3");
  kt::KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<kt::CreatedKey> keys = CreateKeys(port, admin, {"k1", "k2", "k3"});
  const std::string message = kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("k4"), admin), 400);
  CHECK(message.find('3') != std::string::npos);
  CHECK(kt::ListAccessKeys(port, admin).size() == 3);

  // The limit is per user.
  const kt::CreatedUser user = kt::CreateUser(port, admin, "frank@example.com");
  kt::CreateAccessKey(port, user.token, "k1");

  // Deleting a key makes room for another.
  REQUIRE(kt::Delete(port, kt::JoinPath(kKeys, keys[0].id), admin).status == 204);
  kt::CreateAccessKey(port, admin, "k4");
  kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("k5"), admin), 400);
}

TEST_CASE("The 21st access key at the default limit is 400 with a message naming 20", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (int i = 1; i <= 20; ++i) kt::CreateAccessKey(port, admin, "key-" + std::to_string(i));
  const std::string message = kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("key-21"), admin), 400);
  CHECK(message.find("20") != std::string::npos);
  CHECK(kt::ListAccessKeys(port, admin).size() == 20);
}

TEST_CASE("Another user's access key, an unknown id and a non-UUID id are 404 on get, delete and regenerate",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "grace@example.com");
  const kt::CreatedKey admin_key = kt::CreateAccessKey(port, admin, "admin-key");
  const kt::CreatedKey user_key = kt::CreateAccessKey(port, user.token, "user-key");

  struct Probe {
    std::string token, id;
  };
  // Even a System administrator gets 404 for someone else's key on the user endpoints.
  const std::vector<Probe> probes = {{user.token, admin_key.id},     {admin, user_key.id},
                                     {admin, kt::kUnknownUuid},      {admin, kt::kNotAUuid},
                                     {user.token, kt::kUnknownUuid}, {user.token, kt::kNotAUuid}};
  for (const auto& probe : probes) {
    INFO("id " << probe.id);
    kt::CheckError(kt::Get(port, kt::JoinPath(kKeys, probe.id), probe.token), 404);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kKeys, probe.id), probe.token), 404);
    kt::CheckError(Regenerate(port, probe.token, probe.id), 404);
  }

  // Nothing happened to either key: both still exist and their secrets still work.
  kt::CheckAccessKey(GetKey(port, admin, admin_key.id), admin_key);
  kt::CheckAccessKey(GetKey(port, user.token, user_key.id), user_key);
  kt::CheckKeyMints(port, admin_key.client_id, admin_key.client_secret);
  kt::CheckKeyMints(port, user_key.client_id, user_key.client_secret);
}

TEST_CASE("Deleting an access key answers 204 with no body and its credentials never mint again", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey doomed = kt::CreateAccessKey(port, admin, "doomed");
  const kt::CreatedKey kept = kt::CreateAccessKey(port, admin, "kept");
  kt::CheckKeyMints(port, doomed.client_id, doomed.client_secret);

  const kt::HttpResponse response = kt::Delete(port, kt::JoinPath(kKeys, doomed.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());

  kt::CheckKeyRefused(port, doomed.client_id, doomed.client_secret);
  kt::CheckError(kt::Get(port, kt::JoinPath(kKeys, doomed.id), admin), 404);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kKeys, doomed.id), admin), 404);
  kt::CheckError(Regenerate(port, admin, doomed.id), 404);
  CHECK(kt::Ids(kt::ListAccessKeys(port, admin)) == std::vector<std::string>{kept.id});
  CHECK(AdminList(port, admin, "?clientId=" + doomed.client_id).empty());
  kt::CheckKeyMints(port, kept.client_id, kept.client_secret);
}

TEST_CASE("Regenerating a secret answers only clientSecret and the old secret stops minting at once", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "rotating");
  kt::CheckKeyMints(port, key.client_id, key.client_secret);

  const kt::HttpResponse response = Regenerate(port, admin, key.id);
  INFO(response.body);
  const json::object regenerated = kt::CheckJsonObject(response, 200, {"clientSecret"});
  const std::string second = kt::StringField(regenerated, "clientSecret");
  CHECK(second.size() >= 43);
  CHECK(kt::IsUrlSafe(second));
  CHECK(second != key.client_secret);

  kt::CheckKeyRefused(port, key.client_id, key.client_secret);
  kt::CheckKeyMints(port, key.client_id, second);

  // The key itself is unchanged: same id, name, client ID and creation time.
  const json::object got = GetKey(port, admin, key.id);
  kt::CheckAccessKey(got, key);

  // Regenerating again revokes the second secret too.
  const kt::HttpResponse again = Regenerate(port, admin, key.id);
  REQUIRE(again.status == 200);
  const std::string third = kt::StringField(kt::AsObject(again.Json()), "clientSecret");
  CHECK(third != second);
  kt::CheckKeyRefused(port, key.client_id, second);
  kt::CheckKeyRefused(port, key.client_id, key.client_secret);
  kt::CheckKeyMints(port, key.client_id, third);
  CHECK(kt::StringField(GetKey(port, admin, key.id), "createdAt") == kt::StringField(got, "createdAt"));
}

TEST_CASE("Regenerating a secret also works with an empty request body", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "rotating");

  const kt::HttpResponse response =
      kt::Send(port, "POST", kt::JoinPath(kKeys, key.id) + "/secret", "", {{"Authorization", "Bearer " + admin}});
  INFO(response.body);
  REQUIRE(response.status == 200);
  const std::string secret = kt::StringField(kt::AsObject(response.Json()), "clientSecret");
  kt::CheckKeyRefused(port, key.client_id, key.client_secret);
  kt::CheckKeyMints(port, key.client_id, secret);
}

TEST_CASE("A token exchange sets the key's lastLogin within about a second", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "busy");
  const kt::CreatedKey idle = kt::CreateAccessKey(port, admin, "idle");
  const std::string created_at = kt::StringField(GetKey(port, admin, key.id), "createdAt");

  kt::CheckKeyMints(port, key.client_id, key.client_secret);
  const auto exchanged = std::chrono::steady_clock::now();
  const std::string last_login =
      kt::PollUntilNonEmpty([&] { return kt::CheckAccessKey(GetKey(port, admin, key.id), key); });
  const auto waited = std::chrono::steady_clock::now() - exchanged;
  INFO("waited " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms");
  // PollUntilNonEmpty gives up after a bounded wait, so a non-empty value is
  // the "visible soon" check; elapsed time is reported, not asserted.
  REQUIRE_FALSE(last_login.empty());
  CHECK(kt::IsTimestamp(last_login));
  CHECK(last_login >= created_at);

  // The list and the administration list agree; an unused key stays null.
  for (const auto& item : kt::ListAccessKeys(port, admin)) {
    const json::object& listed = kt::AsObject(item);
    if (kt::StringField(listed, "id") == key.id) CHECK(kt::StringField(listed, "lastLogin") == last_login);
    if (kt::StringField(listed, "id") == idle.id) CHECK(listed.at("lastLogin").is_null());
  }
  const json::array admin_view = AdminList(port, admin, "?clientId=" + key.client_id);
  REQUIRE(admin_view.size() == 1);
  CHECK(kt::StringField(kt::AsObject(admin_view[0]), "lastLogin") == last_login);
  CHECK(GetKey(port, admin, idle.id).at("lastLogin").is_null());

  // A failed exchange does not count as a login.
  kt::CheckKeyRefused(port, idle.client_id, "wrong-secret-wrong-secret-wrong-secret-wrong");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  CHECK(GetKey(port, admin, idle.id).at("lastLogin").is_null());
}

TEST_CASE("Access key endpoints answer 401 without a valid bearer token", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "guarded");

  for (const auto& token : {std::string(), std::string("not-a-jwt"), std::string("a.b.c"), key.client_secret}) {
    INFO("token '" << token << "'");
    kt::CheckError(kt::Get(port, kKeys, token), 401);
    kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("intruder"), token), 401);
    kt::CheckError(kt::Get(port, kt::JoinPath(kKeys, key.id), token), 401);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kKeys, key.id), token), 401);
    kt::CheckError(Regenerate(port, token, key.id), 401);
    kt::CheckError(kt::Get(port, kAdminKeys, token), 401);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, key.id), token), 401);
  }
  // A non-Bearer scheme is not accepted either.
  kt::CheckError(kt::Send(port, "GET", kKeys, "", {{"Authorization", "Basic " + admin}}), 401);
  kt::CheckError(kt::Send(port, "GET", kKeys, "", {{"Authorization", admin}}), 401);
  // A tampered signature is refused.
  kt::CheckError(kt::Get(port, kKeys, kt::TamperSignature(admin)), 401);

  // Nothing changed.
  kt::CheckKeyMints(port, key.client_id, key.client_secret);
  CHECK(kt::ListAccessKeys(port, admin).size() == 1);
}

TEST_CASE("A wrong method on a known access-key path is 405 with Allow", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "methods");

  const kt::HttpResponse put = kt::PutJson(port, kt::JoinPath(kKeys, key.id), kt::NameBody("renamed"), admin);
  kt::CheckError(put, 405);
  CHECK(put.Header("Allow").find("GET") != std::string::npos);
  CHECK(put.Header("Allow").find("DELETE") != std::string::npos);

  const kt::HttpResponse del = kt::Delete(port, kKeys, admin);
  kt::CheckError(del, 405);
  CHECK(del.Header("Allow").find("POST") != std::string::npos);

  const kt::HttpResponse get_secret = kt::Get(port, kt::JoinPath(kKeys, key.id) + "/secret", admin);
  kt::CheckError(get_secret, 405);
  CHECK(get_secret.Header("Allow").find("POST") != std::string::npos);
  CHECK(kt::StringField(GetKey(port, admin, key.id), "name") == "methods");
}

TEST_CASE("The administration access-key endpoints are 403 for users without System administrator", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey admin_key = kt::CreateAccessKey(port, admin, "admin-key");

  const std::vector<std::string> roles = {"Viewer", "Department administrator", "Editor"};
  for (size_t i = 0; i < roles.size(); ++i) {
    const std::string& role = roles[i];
    INFO("role " << role);
    const std::string email = "user" + std::to_string(i) + "@example.com";
    const kt::CreatedUser user = kt::CreateUser(port, admin, email, {role});
    kt::CheckError(kt::Get(port, kAdminKeys, user.token), 403);
    kt::CheckError(kt::Get(port, std::string(kAdminKeys) + "?createdBy=" + kt::kAdminEmail, user.token), 403);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, admin_key.id), user.token), 403);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, kt::kUnknownUuid), user.token), 403);
    // Their own keys remain theirs to manage.
    const kt::CreatedKey own = kt::CreateAccessKey(port, user.token, "own");
    CHECK(kt::Ids(kt::ListAccessKeys(port, user.token)) == std::vector<std::string>{own.id});
  }
  kt::CheckKeyMints(port, admin_key.client_id, admin_key.client_secret);
}

TEST_CASE("The administration list shows every user's keys with createdBy, filtered by clientId and createdBy",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "heidi@example.com");

  CHECK(AdminList(port, admin).empty());

  std::vector<kt::CreatedKey> all;
  all.push_back(kt::CreateAccessKey(port, admin, "a-one"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  all.push_back(kt::CreateAccessKey(port, user.token, "h-one"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  all.push_back(kt::CreateAccessKey(port, admin, "a-two"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  all.push_back(kt::CreateAccessKey(port, user.token, "ci"));
  const std::vector<std::string> owners = {kt::kAdminEmail, "heidi@example.com", kt::kAdminEmail, "heidi@example.com"};

  const kt::HttpResponse raw = kt::Get(port, kAdminKeys, admin);
  REQUIRE(raw.status == 200);
  for (const auto& key : all) CHECK(raw.body.find(key.client_secret) == std::string::npos);
  CHECK(raw.body.find("ecret") == std::string::npos);

  const json::array everything = AdminList(port, admin);
  REQUIRE(everything.size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const json::object& key = kt::AsObject(everything[i]);
    INFO("index " << i);
    CHECK(kt::StringField(key, "id") == all[i].id);
    CHECK(kt::StringField(key, "name") == all[i].name);
    CHECK(kt::StringField(key, "clientId") == all[i].client_id);
    CHECK(kt::StringField(key, "createdBy") == owners[i]);
    CHECK(key.at("lastLogin").is_null());
  }

  const json::array by_client = AdminList(port, admin, "?clientId=" + all[1].client_id);
  CHECK(kt::Ids(by_client) == std::vector<std::string>{all[1].id});

  const std::vector<std::string> heidi_ids = {all[1].id, all[3].id};
  CHECK(kt::Ids(AdminList(port, admin, "?createdBy=heidi@example.com")) == heidi_ids);
  CHECK(kt::Ids(AdminList(port, admin, "?createdBy=heidi%40example.com")) == heidi_ids);
  CHECK(kt::Ids(AdminList(port, admin, std::string("?createdBy=") + kt::kAdminEmail)) ==
        std::vector<std::string>{all[0].id, all[2].id});

  CHECK(kt::Ids(AdminList(port, admin, "?createdBy=heidi@example.com&clientId=" + all[3].client_id)) ==
        std::vector<std::string>{all[3].id});
  CHECK(AdminList(port, admin, "?createdBy=heidi@example.com&clientId=" + all[0].client_id).empty());
  CHECK(AdminList(port, admin, "?createdBy=nobody@example.com").empty());
  CHECK(AdminList(port, admin, "?clientId=no-such-client").empty());
  CHECK(AdminList(port, admin, "?createdBy=heidi").empty());
}

TEST_CASE("The administration list pages with offset and limit and rejects bad values", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<kt::CreatedKey> keys = CreateKeys(port, admin, {"p0", "p1", "p2", "p3", "p4"});
  std::vector<std::string> ids;
  for (const auto& key : keys) ids.push_back(key.id);

  CHECK(kt::Ids(AdminList(port, admin)) == ids);
  CHECK(kt::Ids(AdminList(port, admin, "?limit=2")) == std::vector<std::string>{ids[0], ids[1]});
  CHECK(kt::Ids(AdminList(port, admin, "?offset=2&limit=2")) == std::vector<std::string>{ids[2], ids[3]});
  CHECK(kt::Ids(AdminList(port, admin, "?limit=2&offset=4")) == std::vector<std::string>{ids[4]});
  CHECK(kt::Ids(AdminList(port, admin, "?offset=1")) == std::vector<std::string>(ids.begin() + 1, ids.end()));
  CHECK(kt::Ids(AdminList(port, admin, "?offset=0&limit=100")) == ids);
  CHECK(kt::Ids(AdminList(port, admin, "?limit=1")) == std::vector<std::string>{ids[0]});
  CHECK(AdminList(port, admin, "?offset=5").empty());
  CHECK(AdminList(port, admin, "?offset=1000").empty());
  // Filters apply before paging.
  CHECK(kt::Ids(AdminList(port, admin, std::string("?createdBy=") + kt::kAdminEmail + "&offset=3&limit=1")) ==
        std::vector<std::string>{ids[3]});

  for (const std::string query : {"?limit=0", "?limit=101", "?limit=-1", "?offset=-1", "?limit=abc", "?offset=abc",
                                  "?limit=", "?offset=", "?limit=1.5", "?limit=99999999999999999999"}) {
    INFO("query " << query);
    const std::string message = kt::CheckError(kt::Get(port, std::string(kAdminKeys) + query, admin), 400);
    const std::string field = query.find("limit") != std::string::npos ? "limit" : "offset";
    CHECK(kt::Lower(message).find(field) != std::string::npos);
  }
}

TEST_CASE("The administration list returns at most 100 keys by default", "[integration]") {
  kt::ProcessOptions options;
  options.env.emplace("KEYMINT_MAX_KEYS_PER_USER", "100");  // the highest allowed: one list page
  kt::KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const std::string other = kt::CreateUser(port, admin, "bulk@example.com").token;

  // 101 keys across two owners, so that no user's own list exceeds 100.
  std::vector<std::string> ids;
  for (int i = 0; i < 101; ++i) {
    ids.push_back(kt::CreateAccessKey(port, i < 60 ? admin : other, "bulk-" + std::to_string(i)).id);
    if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const json::array first_page = AdminList(port, admin);
  CHECK(first_page.size() == 100);
  CHECK(AdminList(port, admin, "?limit=100").size() == 100);
  const json::array rest = AdminList(port, admin, "?offset=100");
  REQUIRE(rest.size() == 1);

  // Together the pages hold every key exactly once.
  std::vector<std::string> seen = kt::Ids(first_page);
  seen.push_back(kt::StringField(kt::AsObject(rest[0]), "id"));
  CHECK(kt::Sorted(seen) == kt::Sorted(ids));
  // And the list is in createdAt order.
  std::vector<std::string> created_at = kt::StringFields(first_page, "createdAt");
  CHECK(std::is_sorted(created_at.begin(), created_at.end()));
  CHECK(kt::StringField(kt::AsObject(rest[0]), "createdAt") >= created_at.back());
}

TEST_CASE("An administrator deletes any user's key with 204 and its credentials never mint again", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "ivan@example.com");
  const kt::CreatedKey doomed = kt::CreateAccessKey(port, user.token, "doomed");
  const kt::CreatedKey kept = kt::CreateAccessKey(port, user.token, "kept");
  const kt::CreatedKey own = kt::CreateAccessKey(port, admin, "own");

  const kt::HttpResponse response = kt::Delete(port, kt::JoinPath(kAdminKeys, doomed.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());

  kt::CheckKeyRefused(port, doomed.client_id, doomed.client_secret);
  kt::CheckError(kt::Get(port, kt::JoinPath(kKeys, doomed.id), user.token), 404);
  CHECK(kt::Ids(kt::ListAccessKeys(port, user.token)) == std::vector<std::string>{kept.id});
  CHECK(kt::Ids(AdminList(port, admin, "?createdBy=ivan@example.com")) == std::vector<std::string>{kept.id});
  kt::CheckKeyMints(port, kept.client_id, kept.client_secret);

  kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, doomed.id), admin), 404);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, kt::kUnknownUuid), admin), 404);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, kt::kNotAUuid), admin), 404);

  // The administrator's own keys are deletable there too.
  REQUIRE(kt::Delete(port, kt::JoinPath(kAdminKeys, own.id), admin).status == 204);
  kt::CheckKeyRefused(port, own.client_id, own.client_secret);
  CHECK(kt::ListAccessKeys(port, admin).empty());
}

TEST_CASE("Access keys, their secrets and their lastLogin survive a restart on the same directories", "[integration]") {
  const kt::ScopedTempDir data_dir, keys_dir;
  kt::ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  kt::CreatedKey key;
  std::string created_at;
  {
    kt::KeymintProcess server(options);
    const std::string admin = kt::AdminToken(server.port());
    key = kt::CreateAccessKey(server.port(), admin, "durable");
    const kt::CreatedKey gone = kt::CreateAccessKey(server.port(), admin, "gone");
    REQUIRE(kt::Delete(server.port(), kt::JoinPath(kKeys, gone.id), admin).status == 204);
    created_at = kt::StringField(GetKey(server.port(), admin, key.id), "createdAt");
    // A login immediately before a clean stop is not lost.
    kt::CheckKeyMints(server.port(), key.client_id, key.client_secret);
    CHECK(server.Stop() == 0);
  }
  {
    kt::KeymintProcess server(options);
    const std::string admin = kt::AdminToken(server.port());
    const json::array keys = kt::ListAccessKeys(server.port(), admin);
    REQUIRE(keys.size() == 1);
    CHECK_FALSE(kt::CheckAccessKey(kt::AsObject(keys[0]), key).empty());
    CHECK(kt::StringField(kt::AsObject(keys[0]), "createdAt") == created_at);
    kt::CheckKeyMints(server.port(), key.client_id, key.client_secret);
  }
}

TEST_CASE("Concurrent creates of one name leave exactly one key", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (int round = 0; round < 3; ++round) {
    const std::string name = "race-" + std::to_string(round);
    const std::vector<kt::HttpResponse> responses =
        kt::Concurrently(8, [&](int) { return kt::PostJson(port, kKeys, kt::NameBody(name), admin); });
    INFO("round " << round);
    CHECK(kt::CountStatus(responses, 201) == 1);
    CHECK(kt::CountStatus(responses, 409) == 7);
    for (const auto& response : responses) {
      if (response.status != 201) continue;
      const json::value body = response.Json();
      kt::CheckKeyMints(port, kt::StringField(kt::AsObject(body), "clientId"),
                        kt::StringField(kt::AsObject(body), "clientSecret"));
    }
  }
  CHECK(kt::ListAccessKeys(port, admin).size() == 3);
}

TEST_CASE("Concurrent creates never exceed the per-user key limit", "[integration]") {
  kt::ProcessOptions options;
  options.env.emplace("KEYMINT_MAX_KEYS_PER_USER", "3");
  kt::KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  kt::CreateAccessKey(port, admin, "existing");

  const std::vector<kt::HttpResponse> responses = kt::Concurrently(
      10, [&](int i) { return kt::PostJson(port, kKeys, kt::NameBody("burst-" + std::to_string(i)), admin); });
  CHECK(kt::CountStatus(responses, 201) == 2);
  CHECK(kt::CountStatus(responses, 400) == 8);
  CHECK(kt::ListAccessKeys(port, admin).size() == 3);
  CHECK(AdminList(port, admin).size() == 3);
}

TEST_CASE("Concurrent regenerations leave exactly one working secret", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "contended");

  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    const std::vector<kt::HttpResponse> responses =
        kt::Concurrently(6, [&](int) { return Regenerate(port, admin, key.id); });
    REQUIRE(kt::CountStatus(responses, 200) == 6);
    int working = 0;
    for (const auto& response : responses) {
      const std::string secret = kt::StringField(kt::AsObject(response.Json()), "clientSecret");
      if (kt::ClientCredentialsExchange(port, key.client_id, secret).status == 200) ++working;
    }
    CHECK(working == 1);
    kt::CheckKeyRefused(port, key.client_id, key.client_secret);
  }
}

TEST_CASE("Concurrent deletes of one key answer one 204 and otherwise 404", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "short-lived");
    const std::vector<kt::HttpResponse> responses = kt::Concurrently(
        6, [&](int i) { return kt::Delete(port, kt::JoinPath(i % 2 == 0 ? kKeys : kAdminKeys, key.id), admin); });
    CHECK(kt::CountStatus(responses, 204) == 1);
    CHECK(kt::CountStatus(responses, 404) == 5);
    kt::CheckKeyRefused(port, key.client_id, key.client_secret);
    CHECK(kt::ListAccessKeys(port, admin).empty());
  }
}

TEST_CASE("Token exchanges racing a delete never mint after the delete has answered", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "racing");

  const std::vector<kt::HttpResponse> responses = kt::Concurrently(8, [&](int i) {
    if (i == 0) return kt::Delete(port, kt::JoinPath(kKeys, key.id), admin);
    return kt::ClientCredentialsExchange(port, key.client_id, key.client_secret);
  });
  CHECK(responses[0].status == 204);
  for (size_t i = 1; i < responses.size(); ++i) {
    INFO("exchange " << i << ": " << responses[i].status << " " << responses[i].body);
    CHECK((responses[i].status == 200 || responses[i].status == 401));
  }
  for (int i = 0; i < 5; ++i) kt::CheckKeyRefused(port, key.client_id, key.client_secret);
}
