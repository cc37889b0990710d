// Users and roles (API.md §7) driven over HTTP against the real keymint binary.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace {

namespace json = boost::json;
namespace kt = keymint::testing;

constexpr const char* kUsers = "/api/v1/users";
constexpr const char* kRoles = "/api/v1/authorization/roles";
constexpr const char* kMePassword = "/api/v1/me/password";
constexpr const char* kSysAdmin = "System administrator";

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<std::string> kUserMembers =
    Sorted({"id", "username", "createdBy", "createdAt", "updatedAt", "lastLogin", "isLocal", "roles"});
const std::vector<std::string> kBuiltInRoles = {"System administrator",
                                                "Department administrator",
                                                "Research manager",
                                                "L1 researcher",
                                                "L2 researcher",
                                                "ML engineer",
                                                "Editor",
                                                "Viewer"};
const std::string kUnknownUuid = "3a1c5e7f-9b2d-4f6a-8c0e-1d3f5a7b9c2e";
const std::string kNotAUuid = "not-a-uuid";

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

const json::object& Obj(const json::value& value) {
  REQUIRE(value.is_object());
  return value.as_object();
}

const json::array& Arr(const json::value& value) {
  REQUIRE(value.is_array());
  return value.as_array();
}

std::string Str(const json::object& object, const char* member) {
  INFO("member " << member << " of " << json::serialize(object));
  REQUIRE(object.contains(member));
  REQUIRE(object.at(member).is_string());
  return std::string(object.at(member).as_string());
}

std::vector<std::string> Strings(const json::value& value) {
  std::vector<std::string> strings;
  for (const auto& item : Arr(value)) {
    REQUIRE(item.is_string());
    strings.emplace_back(item.as_string());
  }
  return strings;
}

std::string Target(const std::string& base, const std::string& suffix) { return base + "/" + suffix; }

std::string ExpectError(const kt::HttpResponse& response, int status) {
  INFO("status " << response.status << " body " << response.body);
  REQUIRE(response.status == status);
  const json::value body = response.Json();
  const json::object& error = Obj(body);
  REQUIRE(error.contains("code"));
  REQUIRE(error.at("code").is_number());
  CHECK(error.at("code").to_number<int64_t>() == status);
  const std::string message = Str(error, "message");
  CHECK_FALSE(message.empty());
  for (const auto& member : error) {
    CHECK((member.key() == "code" || member.key() == "message" || member.key() == "details"));
  }
  return message;
}

// A user as the API shows it, after checking the exact member set and types.
struct User {
  std::string id, username, created_by, created_at, updated_at, last_login;  // last_login "" when null
  bool is_local = false;
  std::vector<std::string> roles;
};

User ParseUser(const json::object& user) {
  INFO(json::serialize(user));
  CHECK(kt::Keys(user) == kUserMembers);
  User parsed;
  parsed.id = Str(user, "id");
  CHECK(kt::IsUuidV4(parsed.id));
  parsed.username = Str(user, "username");
  parsed.created_by = Str(user, "createdBy");
  parsed.created_at = Str(user, "createdAt");
  CHECK(kt::IsTimestamp(parsed.created_at));
  parsed.updated_at = Str(user, "updatedAt");
  CHECK(kt::IsTimestamp(parsed.updated_at));
  CHECK(parsed.updated_at >= parsed.created_at);
  REQUIRE(user.contains("lastLogin"));
  if (!user.at("lastLogin").is_null()) {
    parsed.last_login = Str(user, "lastLogin");
    CHECK(kt::IsTimestamp(parsed.last_login));
  }
  REQUIRE(user.contains("isLocal"));
  REQUIRE(user.at("isLocal").is_bool());
  parsed.is_local = user.at("isLocal").as_bool();
  REQUIRE(user.contains("roles"));
  parsed.roles = Strings(user.at("roles"));
  return parsed;
}

User GetUser(uint16_t port, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::Get(port, Target(kUsers, id), token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  return ParseUser(Obj(response.Json()));
}

std::vector<User> ListUsers(uint16_t port, const std::string& token) {
  const kt::HttpResponse response = kt::Get(port, kUsers, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  std::vector<User> users;
  const json::value body = response.Json();
  for (const auto& item : Arr(body)) users.push_back(ParseUser(Obj(item)));
  return users;
}

const User* FindUser(const std::vector<User>& users, const std::string& username) {
  for (const auto& user : users) {
    if (user.username == username) return &user;
  }
  return nullptr;
}

json::array RolesOf(const std::vector<std::string>& roles) {
  json::array array;
  for (const auto& role : roles) array.emplace_back(role);
  return array;
}

kt::HttpResponse CreateUserRaw(uint16_t port, const std::string& token, const json::value& body) {
  return kt::PostJson(port, kUsers, body, token);
}

kt::HttpResponse PutRoles(uint16_t port, const std::string& token, const std::string& id,
                          const std::vector<std::string>& roles) {
  return kt::PutJson(port, Target(kUsers, id) + "/roles", json::object{{"roles", RolesOf(roles)}}, token);
}

kt::HttpResponse ResetPassword(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PostJson(port, Target(kUsers, id) + "/password", json::object{}, token);
}

kt::HttpResponse PasswordLogin(uint16_t port, const std::string& username, const std::string& password) {
  return kt::PostJson(port, "/api/v1/token",
                      json::object{{"grantType", "password"}, {"username", username}, {"password", password}});
}

kt::HttpResponse ChangeOwnPassword(uint16_t port, const std::string& token, const std::string& current,
                                   const std::string& next) {
  return kt::PostJson(port, kMePassword, json::object{{"currentPassword", current}, {"newPassword", next}}, token);
}

std::vector<std::string> TokenRoles(const std::string& jwt) {
  const json::object claims = kt::JwtClaims(jwt);
  INFO(json::serialize(claims));
  REQUIRE(claims.contains("roles"));
  return Sorted(Strings(claims.at("roles")));
}

std::string KeyToken(uint16_t port, const kt::CreatedKey& key) {
  const std::string jwt = kt::ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(jwt.empty());
  return jwt;
}

// Polls GET /api/v1/users/{id} until lastLogin is set (up to 3 s); returns it or "".
std::string AwaitUserLastLogin(uint16_t port, const std::string& token, const std::string& id) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    const std::string last_login = GetUser(port, token, id).last_login;
    if (!last_login.empty()) return last_login;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

template <typename Request>
std::vector<kt::HttpResponse> Concurrently(int count, Request request) {
  std::vector<kt::HttpResponse> responses(static_cast<size_t>(count));
  std::latch start(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      responses[static_cast<size_t>(i)] = request(i);
    });
  }
  for (auto& thread : threads) thread.join();
  return responses;
}

int CountStatus(const std::vector<kt::HttpResponse>& responses, int status) {
  return static_cast<int>(std::count_if(responses.begin(), responses.end(),
                                        [status](const kt::HttpResponse& r) { return r.status == status; }));
}

int CountAdmins(const std::vector<User>& users) {
  return static_cast<int>(std::count_if(users.begin(), users.end(), [](const User& user) {
    return std::find(user.roles.begin(), user.roles.end(), kSysAdmin) != user.roles.end();
  }));
}

}  // namespace

TEST_CASE("The role catalog lists at least the eight built-in roles to any authenticated caller", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser viewer = kt::CreateUser(port, admin, "viewer@example.com", {"Viewer"});
  const kt::CreatedKey key = kt::CreateAccessKey(port, viewer.token, "viewer-key");

  for (const std::string& token : {admin, viewer.token, KeyToken(port, key)}) {
    const kt::HttpResponse response = kt::Get(port, kRoles, token);
    INFO(response.body);
    REQUIRE(response.status == 200);
    CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
    std::vector<std::string> names;
    std::vector<std::string> ids;
    const json::value body = response.Json();
    for (const auto& item : Arr(body)) {
      const json::object& role = Obj(item);
      INFO(json::serialize(role));
      CHECK(kt::Keys(role) == Sorted({"id", "name", "description"}));
      REQUIRE(role.contains("id"));
      CHECK((role.at("id").is_string() || role.at("id").is_number()));
      ids.push_back(json::serialize(role.at("id")));
      names.push_back(Str(role, "name"));
      Str(role, "description");
    }
    for (const auto& expected : kBuiltInRoles) {
      INFO("role " << expected);
      CHECK(std::count(names.begin(), names.end(), expected) == 1);
    }
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  }
  ExpectError(kt::Get(port, kRoles), 401);
  ExpectError(kt::Get(port, kRoles, "not-a-jwt"), 401);
}

TEST_CASE("The user list shows the first admin as a local System administrator with the exact user shape",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<User> users = ListUsers(port, admin);
  REQUIRE(users.size() == 1);
  const User& first = users[0];
  CHECK(first.username == kt::kAdminEmail);
  CHECK(first.is_local);
  CHECK(first.roles == std::vector<std::string>{kSysAdmin});
  CHECK_FALSE(first.created_by.empty());

  // The admin logged in with a password, so lastLogin gets set.
  const std::string last_login = AwaitUserLastLogin(port, admin, first.id);
  CHECK_FALSE(last_login.empty());
  CHECK(last_login >= first.created_at);

  // The admin's token is for that user.
  CHECK(Str(kt::JwtClaims(admin), "sub") == first.id);
  CHECK(Str(kt::JwtClaims(admin), "preferred_username") == kt::kAdminEmail);
  CHECK_FALSE(kt::JwtClaims(admin).contains("client_id"));
  CHECK(TokenRoles(admin) == std::vector<std::string>{kSysAdmin});
}

TEST_CASE("Creating a user answers 201 with exactly id, username and tempPassword, and the user can log in",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = CreateUserRaw(
      port, admin, json::object{{"email", "alice@example.com"}, {"roles", RolesOf({"Editor", "ML engineer"})}});
  INFO(response.body);
  REQUIRE(response.status == 201);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const json::value body = response.Json();
  const json::object& created = Obj(body);
  CHECK(kt::Keys(created) == Sorted({"id", "username", "tempPassword"}));
  const std::string id = Str(created, "id");
  CHECK(kt::IsUuidV4(id));
  CHECK(Str(created, "username") == "alice@example.com");
  const std::string temp_password = Str(created, "tempPassword");
  CHECK(temp_password.size() >= 8);

  const User before_login = GetUser(port, admin, id);
  CHECK(before_login.username == "alice@example.com");
  CHECK(before_login.is_local);
  CHECK(before_login.created_by == kt::kAdminEmail);
  CHECK(Sorted(before_login.roles) == Sorted({"Editor", "ML engineer"}));
  CHECK(before_login.last_login.empty());

  const std::vector<User> users = ListUsers(port, admin);
  REQUIRE(users.size() == 2);
  const User* listed = FindUser(users, "alice@example.com");
  REQUIRE(listed != nullptr);
  CHECK(listed->id == id);
  CHECK(listed->created_at == before_login.created_at);

  const std::string jwt = kt::PasswordToken(port, "alice@example.com", temp_password);
  const json::object claims = kt::JwtClaims(jwt);
  CHECK(Str(claims, "sub") == id);
  CHECK(Str(claims, "preferred_username") == "alice@example.com");
  CHECK_FALSE(claims.contains("client_id"));
  CHECK(TokenRoles(jwt) == Sorted({"Editor", "ML engineer"}));

  const std::string last_login = AwaitUserLastLogin(port, admin, id);
  CHECK_FALSE(last_login.empty());
  CHECK(last_login >= before_login.created_at);

  // A wrong password is refused with 401.
  ExpectError(PasswordLogin(port, "alice@example.com", temp_password + "x"), 401);
}

TEST_CASE("A user created with an empty role list exists and holds no roles", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response =
      CreateUserRaw(port, admin, json::object{{"email", "norole@example.com"}, {"roles", json::array{}}});
  INFO(response.body);
  REQUIRE(response.status == 201);
  const json::value body = response.Json();
  const std::string id = Str(Obj(body), "id");
  CHECK(GetUser(port, admin, id).roles.empty());

  const std::string jwt = kt::PasswordToken(port, "norole@example.com", Str(Obj(body), "tempPassword"));
  CHECK(TokenRoles(jwt).empty());
  ExpectError(kt::Get(port, kUsers, jwt), 403);
  CHECK(kt::Get(port, kRoles, jwt).status == 200);
}

TEST_CASE("Creating a user with an email already taken is 409", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const json::object body{{"email", "bob@example.com"}, {"roles", RolesOf({"Viewer"})}};
  REQUIRE(CreateUserRaw(port, admin, body).status == 201);

  ExpectError(CreateUserRaw(port, admin, body), 409);
  ExpectError(CreateUserRaw(port, admin, json::object{{"email", "bob@example.com"}, {"roles", RolesOf({"Editor"})}}),
              409);
  ExpectError(CreateUserRaw(port, admin, json::object{{"email", kt::kAdminEmail}, {"roles", RolesOf({"Viewer"})}}),
              409);
  CHECK(ListUsers(port, admin).size() == 2);
}

TEST_CASE("Creating a user with a bad email, bad roles or a malformed body is 400 naming the field", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<json::value> bad_emails = {"",
                                               "plainaddress",
                                               "@example.com",
                                               "user@",
                                               "us er@example.com",
                                               "user@@example.com",
                                               "user@exa mple.com",
                                               42,
                                               nullptr,
                                               json::array{"a@example.com"}};
  for (const auto& email : bad_emails) {
    INFO("email " << json::serialize(email));
    const std::string message =
        ExpectError(CreateUserRaw(port, admin, json::object{{"email", email}, {"roles", RolesOf({"Viewer"})}}), 400);
    CHECK(Lower(message).find("email") != std::string::npos);
  }
  {
    const std::string message =
        ExpectError(CreateUserRaw(port, admin, json::object{{"roles", RolesOf({"Viewer"})}}), 400);
    CHECK(Lower(message).find("email") != std::string::npos);
  }

  const std::vector<json::value> bad_roles = {RolesOf({"Wizard"}),
                                              RolesOf({"Viewer", "Wizard"}),
                                              RolesOf({"viewer"}),
                                              RolesOf({""}),
                                              json::value("Viewer"),
                                              json::array{42},
                                              json::array{nullptr},
                                              json::object{{"name", "Viewer"}},
                                              nullptr};
  for (const auto& roles : bad_roles) {
    INFO("roles " << json::serialize(roles));
    const std::string message =
        ExpectError(CreateUserRaw(port, admin, json::object{{"email", "x@example.com"}, {"roles", roles}}), 400);
    CHECK(Lower(message).find("role") != std::string::npos);
  }
  {
    const std::string message = ExpectError(CreateUserRaw(port, admin, json::object{{"email", "x@example.com"}}), 400);
    CHECK(Lower(message).find("role") != std::string::npos);
  }

  ExpectError(CreateUserRaw(port, admin, json::array{}), 400);
  ExpectError(CreateUserRaw(port, admin, json::value("x@example.com")), 400);
  for (const std::string raw : {"", "{", "{\"email\":\"x@example.com\",\"roles\":[\"Viewer\"]", "email=x"}) {
    INFO("raw body '" << raw << "'");
    ExpectError(kt::Send(port, "POST", kUsers, raw,
                         {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}}),
                400);
  }
  ExpectError(kt::Send(port, "POST", kUsers, "{\"email\":\"x@example.com\",\"roles\":[\"Viewer\"]}",
                       {{"Authorization", "Bearer " + admin}, {"Content-Type", "text/plain"}}),
              415);

  // None of the rejected requests created anyone.
  const std::vector<User> users = ListUsers(port, admin);
  REQUIRE(users.size() == 1);
  CHECK(users[0].username == kt::kAdminEmail);
}

TEST_CASE("An unknown or malformed user id is 404 on every user operation", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "pat@example.com");
  const kt::CreatedKey key = kt::CreateAccessKey(port, user.token, "pats-key");

  // An access key id is not a user id.
  for (const std::string& id : {kUnknownUuid, kNotAUuid, key.id}) {
    INFO("id " << id);
    ExpectError(kt::Get(port, Target(kUsers, id), admin), 404);
    ExpectError(kt::Delete(port, Target(kUsers, id), admin), 404);
    ExpectError(PutRoles(port, admin, id, {"Viewer"}), 404);
    ExpectError(ResetPassword(port, admin, id), 404);
  }
  CHECK(ListUsers(port, admin).size() == 2);
  CHECK(GetUser(port, admin, user.id).roles == std::vector<std::string>{"Viewer"});
}

TEST_CASE("Deleting a user answers 204 and removes the user's access keys and sessions", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "quinn@example.com", {"Editor"});
  const kt::CreatedUser bystander = kt::CreateUser(port, admin, "rita@example.com");
  const kt::CreatedKey first = kt::CreateAccessKey(port, user.token, "first");
  const kt::CreatedKey second = kt::CreateAccessKey(port, user.token, "second");
  const kt::CreatedKey other = kt::CreateAccessKey(port, bystander.token, "first");
  const std::string key_token = KeyToken(port, first);

  const kt::HttpResponse response = kt::Delete(port, Target(kUsers, user.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());

  ExpectError(kt::Get(port, Target(kUsers, user.id), admin), 404);
  const std::vector<User> users = ListUsers(port, admin);
  CHECK(users.size() == 2);
  CHECK(FindUser(users, "quinn@example.com") == nullptr);

  // The keys are gone and their credentials never mint again.
  for (const auto& key : {first, second}) {
    INFO("key " << key.name);
    ExpectError(kt::PostJson(port, "/api/v1/token",
                             json::object{{"grantType", "client_credentials"},
                                          {"clientId", key.client_id},
                                          {"clientSecret", key.client_secret}}),
                401);
    CHECK(kt::Get(port, "/api/v1/administration/access-keys?clientId=" + key.client_id, admin).body.find(key.id) ==
          std::string::npos);
  }
  const kt::HttpResponse by_owner =
      kt::Get(port, "/api/v1/administration/access-keys?createdBy=quinn@example.com", admin);
  REQUIRE(by_owner.status == 200);
  CHECK(Arr(Obj(by_owner.Json()).at("accessKeys")).empty());
  const kt::HttpResponse all_keys = kt::Get(port, "/api/v1/administration/access-keys", admin);
  REQUIRE(all_keys.status == 200);
  const json::array remaining = Arr(Obj(all_keys.Json()).at("accessKeys"));
  REQUIRE(remaining.size() == 1);
  CHECK(Str(Obj(remaining[0]), "id") == other.id);

  // Tokens whose subject no longer exists are refused, and the password no longer logs in.
  ExpectError(kt::Get(port, "/api/v1/access-keys", user.token), 401);
  ExpectError(kt::Get(port, "/api/v1/access-keys", key_token), 401);
  ExpectError(PasswordLogin(port, "quinn@example.com", user.password), 401);
  ExpectError(kt::Delete(port, Target(kUsers, user.id), admin), 404);

  // The bystander is untouched, and the email can be used again for a fresh user with no keys.
  CHECK(kt::ClientCredentialsToken(port, other.client_id, other.client_secret) != "");
  const kt::CreatedUser again = kt::CreateUser(port, admin, "quinn@example.com");
  CHECK(again.id != user.id);
  const kt::HttpResponse fresh_keys = kt::Get(port, "/api/v1/access-keys", again.token);
  REQUIRE(fresh_keys.status == 200);
  CHECK(Arr(Obj(fresh_keys.Json()).at("accessKeys")).empty());
}

TEST_CASE("Replacing a user's roles answers the updated user and the next tokens carry the new roles",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "sam@example.com", {"Viewer"});
  const kt::CreatedKey key = kt::CreateAccessKey(port, user.token, "sams-key");
  CHECK(TokenRoles(KeyToken(port, key)) == std::vector<std::string>{"Viewer"});
  const User before = GetUser(port, admin, user.id);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const kt::HttpResponse response = PutRoles(port, admin, user.id, {"L1 researcher", "Research manager"});
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const User updated = ParseUser(Obj(response.Json()));
  CHECK(updated.id == user.id);
  CHECK(updated.username == "sam@example.com");
  CHECK(updated.created_at == before.created_at);
  CHECK(updated.updated_at > before.updated_at);
  CHECK(Sorted(updated.roles) == Sorted({"L1 researcher", "Research manager"}));
  CHECK(Sorted(GetUser(port, admin, user.id).roles) == Sorted({"L1 researcher", "Research manager"}));

  CHECK(TokenRoles(KeyToken(port, key)) == Sorted({"L1 researcher", "Research manager"}));
  CHECK(TokenRoles(kt::PasswordToken(port, "sam@example.com", user.password)) ==
        Sorted({"L1 researcher", "Research manager"}));

  // Permissions come from the current roles, even for a token minted before the change.
  ExpectError(kt::Get(port, kUsers, user.token), 403);
  REQUIRE(PutRoles(port, admin, user.id, {kSysAdmin}).status == 200);
  CHECK(kt::Get(port, kUsers, user.token).status == 200);
  CHECK(kt::Get(port, "/api/v1/administration/access-keys", user.token).status == 200);
  REQUIRE(PutRoles(port, admin, user.id, {"Viewer"}).status == 200);
  ExpectError(kt::Get(port, kUsers, user.token), 403);
  CHECK(TokenRoles(KeyToken(port, key)) == std::vector<std::string>{"Viewer"});

  // An empty role list is allowed for a user who is not the last administrator.
  const kt::HttpResponse emptied = PutRoles(port, admin, user.id, {});
  INFO(emptied.body);
  REQUIRE(emptied.status == 200);
  CHECK(ParseUser(Obj(emptied.Json())).roles.empty());
  CHECK(TokenRoles(KeyToken(port, key)).empty());
}

TEST_CASE("Replacing roles with an unknown role or a malformed body is 400 and changes nothing", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "tina@example.com", {"Editor"});
  const std::string target = Target(kUsers, user.id) + "/roles";

  for (const std::vector<std::string>& roles :
       {std::vector<std::string>{"Wizard"}, std::vector<std::string>{"Viewer", "Wizard"},
        std::vector<std::string>{"system administrator"}}) {
    const std::string message = ExpectError(PutRoles(port, admin, user.id, roles), 400);
    CHECK(Lower(message).find("role") != std::string::npos);
  }
  const std::vector<json::value> bodies = {json::object{}, json::object{{"roles", "Viewer"}},
                                           json::object{{"roles", nullptr}}, json::object{{"roles", json::array{1, 2}}},
                                           json::array{"Viewer"}};
  for (const auto& body : bodies) {
    INFO("body " << json::serialize(body));
    ExpectError(kt::PutJson(port, target, body, admin), 400);
  }
  ExpectError(kt::Send(port, "PUT", target, "{\"roles\":[",
                       {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}}),
              400);
  CHECK(GetUser(port, admin, user.id).roles == std::vector<std::string>{"Editor"});
}

TEST_CASE("An administrator's password reset answers only tempPassword and replaces the old password",
          "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "uma@example.com");

  const kt::HttpResponse response = ResetPassword(port, admin, user.id);
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const json::value body = response.Json();
  const json::object& reset = Obj(body);
  CHECK(kt::Keys(reset) == std::vector<std::string>{"tempPassword"});
  const std::string temp_password = Str(reset, "tempPassword");
  CHECK(temp_password.size() >= 8);
  CHECK(temp_password != user.password);

  ExpectError(PasswordLogin(port, "uma@example.com", user.password), 401);
  const std::string jwt = kt::PasswordToken(port, "uma@example.com", temp_password);
  CHECK(Str(kt::JwtClaims(jwt), "sub") == user.id);
}

TEST_CASE("A user changes their own password, which needs the current one and at least 8 characters", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "victor@example.com");

  {
    const std::string message =
        ExpectError(ChangeOwnPassword(port, user.token, user.password + "x", "brand-new-pass"), 400);
    CHECK(Lower(message).find("password") != std::string::npos);
  }
  {
    const std::string message = ExpectError(ChangeOwnPassword(port, user.token, user.password, "short77"), 400);
    CHECK(Lower(message).find("password") != std::string::npos);
  }
  ExpectError(ChangeOwnPassword(port, user.token, user.password, ""), 400);
  ExpectError(kt::PostJson(port, kMePassword, json::object{{"currentPassword", user.password}}, user.token), 400);
  ExpectError(kt::PostJson(port, kMePassword, json::object{{"newPassword", "brand-new-pass"}}, user.token), 400);
  ExpectError(kt::PostJson(port, kMePassword,
                           json::object{{"currentPassword", user.password}, {"newPassword", 12345678}}, user.token),
              400);
  ExpectError(kt::PostJson(port, kMePassword, json::array{}, user.token), 400);
  ExpectError(ChangeOwnPassword(port, "", user.password, "brand-new-pass"), 401);
  ExpectError(ChangeOwnPassword(port, "not-a-jwt", user.password, "brand-new-pass"), 401);

  // Nothing changed so far: the original password still works.
  kt::PasswordToken(port, "victor@example.com", user.password);

  // Exactly 8 characters is enough.
  const kt::HttpResponse response = ChangeOwnPassword(port, user.token, user.password, "eight888");
  INFO(response.body);
  REQUIRE(response.status == 200);
  ExpectError(PasswordLogin(port, "victor@example.com", user.password), 401);
  const std::string jwt = kt::PasswordToken(port, "victor@example.com", "eight888");
  CHECK(Str(kt::JwtClaims(jwt), "sub") == user.id);
}

TEST_CASE("An administrator changes their own password through /api/v1/me/password", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = ChangeOwnPassword(port, admin, kt::kAdminPassword, "a-much-better-password");
  INFO(response.body);
  REQUIRE(response.status == 200);
  ExpectError(PasswordLogin(port, kt::kAdminEmail, kt::kAdminPassword), 401);
  kt::PasswordToken(port, kt::kAdminEmail, "a-much-better-password");
}

TEST_CASE("The user management endpoints are 403 for callers without System administrator", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser target = kt::CreateUser(port, admin, "wendy@example.com", {"Viewer"});

  const std::vector<std::vector<std::string>> role_sets = {
      {"Viewer"}, {"Department administrator"}, {"Editor", "ML engineer", "Research manager"}};
  for (size_t i = 0; i < role_sets.size(); ++i) {
    const kt::CreatedUser caller =
        kt::CreateUser(port, admin, "caller" + std::to_string(i) + "@example.com", role_sets[i]);
    const kt::CreatedKey key = kt::CreateAccessKey(port, caller.token, "caller-key");
    for (const std::string& token : {caller.token, KeyToken(port, key)}) {
      INFO("caller " << i);
      ExpectError(kt::Get(port, kUsers, token), 403);
      ExpectError(
          CreateUserRaw(port, token, json::object{{"email", "evil@example.com"}, {"roles", RolesOf({kSysAdmin})}}),
          403);
      ExpectError(kt::Get(port, Target(kUsers, target.id), token), 403);
      ExpectError(kt::Delete(port, Target(kUsers, target.id), token), 403);
      ExpectError(PutRoles(port, token, target.id, {kSysAdmin}), 403);
      ExpectError(PutRoles(port, token, caller.id, {kSysAdmin}), 403);
      ExpectError(ResetPassword(port, token, target.id), 403);
      ExpectError(kt::Get(port, Target(kUsers, kUnknownUuid), token), 403);
    }
  }
  // Nothing changed.
  const std::vector<User> users = ListUsers(port, admin);
  CHECK(users.size() == 5);
  CHECK(FindUser(users, "evil@example.com") == nullptr);
  CHECK(GetUser(port, admin, target.id).roles == std::vector<std::string>{"Viewer"});
  kt::PasswordToken(port, "wendy@example.com", target.password);
}

TEST_CASE("The user endpoints answer 401 without a valid bearer token", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "xavier@example.com");

  std::string tampered = admin;
  const size_t signature_char = tampered.rfind('.') + 10;
  tampered[signature_char] = tampered[signature_char] == 'A' ? 'Q' : 'A';
  for (const std::string& token : {std::string(), std::string("not-a-jwt"), tampered}) {
    INFO("token '" << token << "'");
    ExpectError(kt::Get(port, kUsers, token), 401);
    ExpectError(CreateUserRaw(port, token, json::object{{"email", "y@example.com"}, {"roles", RolesOf({"Viewer"})}}),
                401);
    ExpectError(kt::Get(port, Target(kUsers, user.id), token), 401);
    ExpectError(kt::Delete(port, Target(kUsers, user.id), token), 401);
    ExpectError(PutRoles(port, token, user.id, {"Editor"}), 401);
    ExpectError(ResetPassword(port, token, user.id), 401);
    ExpectError(ChangeOwnPassword(port, token, kt::kAdminPassword, "whatever-long"), 401);
    ExpectError(kt::Get(port, kRoles, token), 401);
  }
  CHECK(ListUsers(port, admin).size() == 2);
}

TEST_CASE("The last System administrator can be neither deleted nor stripped of the role", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const std::string admin_id = Str(kt::JwtClaims(admin), "sub");

  {
    const std::string message = ExpectError(kt::Delete(port, Target(kUsers, admin_id), admin), 400);
    CHECK(Lower(message).find("administrator") != std::string::npos);
  }
  for (const std::vector<std::string>& roles : {std::vector<std::string>{"Viewer"}, std::vector<std::string>{},
                                                std::vector<std::string>{"Department administrator"}}) {
    const std::string message = ExpectError(PutRoles(port, admin, admin_id, roles), 400);
    CHECK(Lower(message).find("administrator") != std::string::npos);
  }
  // Keeping the role while adding another is fine.
  const kt::HttpResponse kept = PutRoles(port, admin, admin_id, {"Viewer", kSysAdmin});
  INFO(kept.body);
  REQUIRE(kept.status == 200);
  CHECK(Sorted(ParseUser(Obj(kept.Json())).roles) == Sorted({kSysAdmin, "Viewer"}));
  CHECK(kt::Get(port, kUsers, admin).status == 200);

  // With a second administrator the first may be demoted, and then the second is the last.
  const kt::CreatedUser second = kt::CreateUser(port, admin, "yolanda@example.com", {kSysAdmin});
  REQUIRE(PutRoles(port, second.token, admin_id, {"Viewer"}).status == 200);
  ExpectError(kt::Get(port, kUsers, admin), 403);
  {
    const std::string message = ExpectError(kt::Delete(port, Target(kUsers, second.id), second.token), 400);
    CHECK(Lower(message).find("administrator") != std::string::npos);
  }
  ExpectError(PutRoles(port, second.token, second.id, {"Editor"}), 400);
  CHECK(GetUser(port, second.token, second.id).roles == std::vector<std::string>{kSysAdmin});

  // Promote the first again; now either may go.
  REQUIRE(PutRoles(port, second.token, admin_id, {kSysAdmin}).status == 200);
  const kt::HttpResponse removed = kt::Delete(port, Target(kUsers, second.id), admin);
  INFO(removed.body);
  CHECK(removed.status == 204);
  ExpectError(kt::Delete(port, Target(kUsers, admin_id), admin), 400);
  const std::vector<User> users = ListUsers(port, admin);
  REQUIRE(users.size() == 1);
  CHECK(users[0].roles == std::vector<std::string>{kSysAdmin});
}

TEST_CASE("Users, roles and passwords survive a restart on the same directories", "[integration]") {
  const std::string data_dir = kt::MakeTempDir();
  const std::string keys_dir = kt::MakeTempDir();
  std::string user_id, new_password;
  {
    kt::ProcessOptions options;
    options.data_dir = data_dir;
    options.keys_dir = keys_dir;
    kt::KeymintProcess server(options);
    const std::string admin = kt::AdminToken(server.port());
    const kt::CreatedUser user = kt::CreateUser(server.port(), admin, "zoe@example.com", {"Viewer"});
    user_id = user.id;
    REQUIRE(PutRoles(server.port(), admin, user.id, {"Editor", "L2 researcher"}).status == 200);
    const kt::HttpResponse reset = ResetPassword(server.port(), admin, user.id);
    REQUIRE(reset.status == 200);
    new_password = Str(Obj(reset.Json()), "tempPassword");
    CHECK(server.Stop() == 0);
  }
  {
    kt::ProcessOptions options;
    options.data_dir = data_dir;
    options.keys_dir = keys_dir;
    kt::KeymintProcess server(options);
    const std::string admin = kt::AdminToken(server.port());
    const User user = GetUser(server.port(), admin, user_id);
    CHECK(user.username == "zoe@example.com");
    CHECK(Sorted(user.roles) == Sorted({"Editor", "L2 researcher"}));
    CHECK(ListUsers(server.port(), admin).size() == 2);
    const std::string jwt = kt::PasswordToken(server.port(), "zoe@example.com", new_password);
    CHECK(TokenRoles(jwt) == Sorted({"Editor", "L2 researcher"}));
  }
  kt::RemoveTree(data_dir);
  kt::RemoveTree(keys_dir);
}

TEST_CASE("Concurrent creates of one email yield exactly one user", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<kt::HttpResponse> responses = Concurrently(8, [&](int) {
    return kt::PostJson(port, kUsers, json::object{{"email", "twin@example.com"}, {"roles", RolesOf({"Viewer"})}},
                        admin);
  });
  CHECK(CountStatus(responses, 201) == 1);
  CHECK(CountStatus(responses, 409) == 7);
  const std::vector<User> users = ListUsers(port, admin);
  CHECK(users.size() == 2);
  for (const auto& response : responses) {
    if (response.status != 201) continue;
    const json::value body = response.Json();
    kt::PasswordToken(port, "twin@example.com", Str(Obj(body), "tempPassword"));
  }
}

TEST_CASE("Two administrators demoting each other at once leave a System administrator", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string first = kt::AdminToken(port);
  const std::string first_id = Str(kt::JwtClaims(first), "sub");
  const kt::CreatedUser second = kt::CreateUser(port, first, "second-admin@example.com", {kSysAdmin});

  for (int round = 0; round < 6; ++round) {
    INFO("round " << round);
    const std::vector<kt::HttpResponse> responses = Concurrently(2, [&](int i) {
      return i == 0 ? PutRoles(port, first, second.id, {"Viewer"}) : PutRoles(port, second.token, first_id, {"Viewer"});
    });
    CHECK(CountStatus(responses, 200) <= 1);
    // Whoever is still an administrator can list users; there must be one.
    const bool first_is_admin = kt::Get(port, kUsers, first).status == 200;
    const std::string survivor = first_is_admin ? first : second.token;
    const std::vector<User> users = ListUsers(port, survivor);
    REQUIRE(CountAdmins(users) >= 1);
    // Restore both for the next round.
    REQUIRE(PutRoles(port, survivor, first_id, {kSysAdmin}).status == 200);
    REQUIRE(PutRoles(port, survivor, second.id, {kSysAdmin}).status == 200);
  }
}

TEST_CASE("Two administrators deleting each other at once leave a System administrator", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  std::string survivor = kt::AdminToken(port);

  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    const std::string survivor_id = Str(kt::JwtClaims(survivor), "sub");
    const kt::CreatedUser other =
        kt::CreateUser(port, survivor, "other-admin-" + std::to_string(round) + "@example.com", {kSysAdmin});
    const std::vector<kt::HttpResponse> responses = Concurrently(2, [&](int i) {
      return i == 0 ? kt::Delete(port, Target(kUsers, other.id), survivor)
                    : kt::Delete(port, Target(kUsers, survivor_id), other.token);
    });
    CHECK(CountStatus(responses, 204) == 1);
    if (responses[1].status == 204) survivor = other.token;
    const std::vector<User> users = ListUsers(port, survivor);
    CHECK(users.size() == 1);
    CHECK(CountAdmins(users) == 1);
  }
}
