// Users and roles (API.md §7) driven over HTTP against the real keymint binary.
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

constexpr const char* kUsers = "/api/v1/users";
constexpr const char* kRoles = "/api/v1/authorization/roles";
constexpr const char* kMePassword = "/api/v1/me/password";
constexpr const char* kSysAdmin = "System administrator";

const std::vector<std::string> kUserMembers =
    kt::Sorted({"id", "username", "createdBy", "createdAt", "updatedAt", "lastLogin", "isLocal", "roles"});
const std::vector<std::string> kBuiltInRoles = {"System administrator",
                                                "Department administrator",
                                                "Research manager",
                                                "L1 researcher",
                                                "L2 researcher",
                                                "ML engineer",
                                                "Editor",
                                                "Viewer"};

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
  parsed.id = kt::StringField(user, "id");
  CHECK(kt::IsUuidV4(parsed.id));
  parsed.username = kt::StringField(user, "username");
  parsed.created_by = kt::StringField(user, "createdBy");
  parsed.created_at = kt::StringField(user, "createdAt");
  CHECK(kt::IsTimestamp(parsed.created_at));
  parsed.updated_at = kt::StringField(user, "updatedAt");
  CHECK(kt::IsTimestamp(parsed.updated_at));
  CHECK(parsed.updated_at >= parsed.created_at);
  REQUIRE(user.contains("lastLogin"));
  if (!user.at("lastLogin").is_null()) {
    parsed.last_login = kt::StringField(user, "lastLogin");
    CHECK(kt::IsTimestamp(parsed.last_login));
  }
  REQUIRE(user.contains("isLocal"));
  REQUIRE(user.at("isLocal").is_bool());
  parsed.is_local = user.at("isLocal").as_bool();
  parsed.roles = kt::StringArrayField(user, "roles");
  return parsed;
}

User GetUser(uint16_t port, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kUsers, id), token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  return ParseUser(kt::AsObject(response.Json()));
}

std::vector<User> ListUsers(uint16_t port, const std::string& token) {
  const kt::HttpResponse response = kt::Get(port, kUsers, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  std::vector<User> users;
  const json::value body = response.Json();
  for (const auto& item : kt::AsArray(body)) users.push_back(ParseUser(kt::AsObject(item)));
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
  return kt::PutJson(port, kt::JoinPath(kUsers, id) + "/roles", json::object{{"roles", RolesOf(roles)}}, token);
}

kt::HttpResponse ResetPassword(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PostJson(port, kt::JoinPath(kUsers, id) + "/password", json::object{}, token);
}

kt::HttpResponse ChangeOwnPassword(uint16_t port, const std::string& token, const std::string& current,
                                   const std::string& next) {
  return kt::PostJson(port, kMePassword, json::object{{"currentPassword", current}, {"newPassword", next}}, token);
}

std::vector<std::string> TokenRoles(const std::string& jwt) {
  const json::object claims = kt::JwtClaims(jwt);
  INFO(json::serialize(claims));
  return kt::Sorted(kt::StringArrayField(claims, "roles"));
}

std::string KeyToken(uint16_t port, const kt::CreatedKey& key) {
  const std::string jwt = kt::ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(jwt.empty());
  return jwt;
}

// Polls GET /api/v1/users/{id} until lastLogin is set (up to 3 s); returns it or "".
std::string AwaitUserLastLogin(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PollUntilNonEmpty([&] { return GetUser(port, token, id).last_login; });
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
    for (const auto& item : kt::AsArray(body)) {
      const json::object& role = kt::AsObject(item);
      INFO(json::serialize(role));
      CHECK(kt::Keys(role) == kt::Sorted({"id", "name", "description"}));
      REQUIRE(role.contains("id"));
      CHECK((role.at("id").is_string() || role.at("id").is_number()));
      ids.push_back(json::serialize(role.at("id")));
      names.push_back(kt::StringField(role, "name"));
      kt::StringField(role, "description");
    }
    for (const auto& expected : kBuiltInRoles) {
      INFO("role " << expected);
      CHECK(std::count(names.begin(), names.end(), expected) == 1);
    }
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  }
  kt::CheckError(kt::Get(port, kRoles), 401);
  kt::CheckError(kt::Get(port, kRoles, "not-a-jwt"), 401);
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
  CHECK(kt::StringField(kt::JwtClaims(admin), "sub") == first.id);
  CHECK(kt::StringField(kt::JwtClaims(admin), "preferred_username") == kt::kAdminEmail);
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
  const json::object created = kt::CheckJsonObject(response, 201, kt::Sorted({"id", "username", "tempPassword"}));
  const std::string id = kt::StringField(created, "id");
  CHECK(kt::IsUuidV4(id));
  CHECK(kt::StringField(created, "username") == "alice@example.com");
  const std::string temp_password = kt::StringField(created, "tempPassword");
  CHECK(temp_password.size() >= 8);

  const User before_login = GetUser(port, admin, id);
  CHECK(before_login.username == "alice@example.com");
  CHECK(before_login.is_local);
  CHECK(before_login.created_by == kt::kAdminEmail);
  CHECK(kt::Sorted(before_login.roles) == kt::Sorted({"Editor", "ML engineer"}));
  CHECK(before_login.last_login.empty());

  const std::vector<User> users = ListUsers(port, admin);
  REQUIRE(users.size() == 2);
  const User* listed = FindUser(users, "alice@example.com");
  REQUIRE(listed != nullptr);
  CHECK(listed->id == id);
  CHECK(listed->created_at == before_login.created_at);

  const std::string jwt = kt::PasswordToken(port, "alice@example.com", temp_password);
  const json::object claims = kt::JwtClaims(jwt);
  CHECK(kt::StringField(claims, "sub") == id);
  CHECK(kt::StringField(claims, "preferred_username") == "alice@example.com");
  CHECK_FALSE(claims.contains("client_id"));
  CHECK(TokenRoles(jwt) == kt::Sorted({"Editor", "ML engineer"}));

  const std::string last_login = AwaitUserLastLogin(port, admin, id);
  CHECK_FALSE(last_login.empty());
  CHECK(last_login >= before_login.created_at);

  // A wrong password is refused with 401.
  kt::CheckError(kt::PasswordLogin(port, "alice@example.com", temp_password + "x"), 401);
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
  const std::string id = kt::StringField(kt::AsObject(body), "id");
  CHECK(GetUser(port, admin, id).roles.empty());

  const std::string jwt =
      kt::PasswordToken(port, "norole@example.com", kt::StringField(kt::AsObject(body), "tempPassword"));
  CHECK(TokenRoles(jwt).empty());
  kt::CheckError(kt::Get(port, kUsers, jwt), 403);
  CHECK(kt::Get(port, kRoles, jwt).status == 200);
}

TEST_CASE("Creating a user with an email already taken is 409", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const json::object body{{"email", "bob@example.com"}, {"roles", RolesOf({"Viewer"})}};
  REQUIRE(CreateUserRaw(port, admin, body).status == 201);

  kt::CheckError(CreateUserRaw(port, admin, body), 409);
  kt::CheckError(CreateUserRaw(port, admin, json::object{{"email", "bob@example.com"}, {"roles", RolesOf({"Editor"})}}),
                 409);
  kt::CheckError(CreateUserRaw(port, admin, json::object{{"email", kt::kAdminEmail}, {"roles", RolesOf({"Viewer"})}}),
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
        kt::CheckError(CreateUserRaw(port, admin, json::object{{"email", email}, {"roles", RolesOf({"Viewer"})}}), 400);
    CHECK(kt::Lower(message).find("email") != std::string::npos);
  }
  {
    const std::string message =
        kt::CheckError(CreateUserRaw(port, admin, json::object{{"roles", RolesOf({"Viewer"})}}), 400);
    CHECK(kt::Lower(message).find("email") != std::string::npos);
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
        kt::CheckError(CreateUserRaw(port, admin, json::object{{"email", "x@example.com"}, {"roles", roles}}), 400);
    CHECK(kt::Lower(message).find("role") != std::string::npos);
  }
  {
    const std::string message =
        kt::CheckError(CreateUserRaw(port, admin, json::object{{"email", "x@example.com"}}), 400);
    CHECK(kt::Lower(message).find("role") != std::string::npos);
  }

  kt::CheckError(CreateUserRaw(port, admin, json::array{}), 400);
  kt::CheckError(CreateUserRaw(port, admin, json::value("x@example.com")), 400);
  for (const std::string raw : {"", "{", "{\"email\":\"x@example.com\",\"roles\":[\"Viewer\"]", "email=x"}) {
    INFO("raw body '" << raw << "'");
    kt::CheckError(kt::Send(port, "POST", kUsers, raw,
                            {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}}),
                   400);
  }
  kt::CheckError(kt::Send(port, "POST", kUsers, "{\"email\":\"x@example.com\",\"roles\":[\"Viewer\"]}",
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
  for (const std::string& id : {kt::kUnknownUuid, kt::kNotAUuid, key.id}) {
    INFO("id " << id);
    kt::CheckError(kt::Get(port, kt::JoinPath(kUsers, id), admin), 404);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, id), admin), 404);
    kt::CheckError(PutRoles(port, admin, id, {"Viewer"}), 404);
    kt::CheckError(ResetPassword(port, admin, id), 404);
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

  const kt::HttpResponse response = kt::Delete(port, kt::JoinPath(kUsers, user.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());

  kt::CheckError(kt::Get(port, kt::JoinPath(kUsers, user.id), admin), 404);
  const std::vector<User> users = ListUsers(port, admin);
  CHECK(users.size() == 2);
  CHECK(FindUser(users, "quinn@example.com") == nullptr);

  // The keys are gone and their credentials never mint again.
  for (const auto& key : {first, second}) {
    INFO("key " << key.name);
    kt::CheckKeyRefused(port, key.client_id, key.client_secret);
    CHECK(kt::Get(port, "/api/v1/administration/access-keys?clientId=" + key.client_id, admin).body.find(key.id) ==
          std::string::npos);
  }
  const kt::HttpResponse by_owner =
      kt::Get(port, "/api/v1/administration/access-keys?createdBy=quinn@example.com", admin);
  REQUIRE(by_owner.status == 200);
  CHECK(kt::AsArray(kt::AsObject(by_owner.Json()).at("accessKeys")).empty());
  const kt::HttpResponse all_keys = kt::Get(port, "/api/v1/administration/access-keys", admin);
  REQUIRE(all_keys.status == 200);
  const json::array remaining = kt::AsArray(kt::AsObject(all_keys.Json()).at("accessKeys"));
  REQUIRE(remaining.size() == 1);
  CHECK(kt::StringField(kt::AsObject(remaining[0]), "id") == other.id);

  // Tokens whose subject no longer exists are refused, and the password no longer logs in.
  kt::CheckError(kt::Get(port, "/api/v1/access-keys", user.token), 401);
  kt::CheckError(kt::Get(port, "/api/v1/access-keys", key_token), 401);
  kt::CheckError(kt::PasswordLogin(port, "quinn@example.com", user.password), 401);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, user.id), admin), 404);

  // The bystander is untouched, and the email can be used again for a fresh user with no keys.
  CHECK(kt::ClientCredentialsToken(port, other.client_id, other.client_secret) != "");
  const kt::CreatedUser again = kt::CreateUser(port, admin, "quinn@example.com");
  CHECK(again.id != user.id);
  CHECK(kt::ListAccessKeys(port, again.token).empty());
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
  const User updated = ParseUser(kt::AsObject(response.Json()));
  CHECK(updated.id == user.id);
  CHECK(updated.username == "sam@example.com");
  CHECK(updated.created_at == before.created_at);
  CHECK(updated.updated_at > before.updated_at);
  CHECK(kt::Sorted(updated.roles) == kt::Sorted({"L1 researcher", "Research manager"}));
  CHECK(kt::Sorted(GetUser(port, admin, user.id).roles) == kt::Sorted({"L1 researcher", "Research manager"}));

  CHECK(TokenRoles(KeyToken(port, key)) == kt::Sorted({"L1 researcher", "Research manager"}));
  CHECK(TokenRoles(kt::PasswordToken(port, "sam@example.com", user.password)) ==
        kt::Sorted({"L1 researcher", "Research manager"}));

  // Permissions come from the current roles, even for a token minted before the change.
  kt::CheckError(kt::Get(port, kUsers, user.token), 403);
  REQUIRE(PutRoles(port, admin, user.id, {kSysAdmin}).status == 200);
  CHECK(kt::Get(port, kUsers, user.token).status == 200);
  CHECK(kt::Get(port, "/api/v1/administration/access-keys", user.token).status == 200);
  // Losing System administrator, though, ends that session; a new one has the reduced rights.
  REQUIRE(PutRoles(port, admin, user.id, {"Viewer"}).status == 200);
  kt::CheckError(kt::Get(port, kUsers, user.token), 401);
  kt::CheckError(kt::Get(port, kUsers, kt::PasswordToken(port, "sam@example.com", user.password)), 403);
  CHECK(TokenRoles(KeyToken(port, key)) == std::vector<std::string>{"Viewer"});

  // An empty role list is allowed for a user who is not the last administrator.
  const kt::HttpResponse emptied = PutRoles(port, admin, user.id, {});
  INFO(emptied.body);
  REQUIRE(emptied.status == 200);
  CHECK(ParseUser(kt::AsObject(emptied.Json())).roles.empty());
  CHECK(TokenRoles(KeyToken(port, key)).empty());
}

TEST_CASE("Replacing roles with an unknown role or a malformed body is 400 and changes nothing", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "tina@example.com", {"Editor"});
  const std::string target = kt::JoinPath(kUsers, user.id) + "/roles";

  for (const std::vector<std::string>& roles :
       {std::vector<std::string>{"Wizard"}, std::vector<std::string>{"Viewer", "Wizard"},
        std::vector<std::string>{"system administrator"}}) {
    const std::string message = kt::CheckError(PutRoles(port, admin, user.id, roles), 400);
    CHECK(kt::Lower(message).find("role") != std::string::npos);
  }
  const std::vector<json::value> bodies = {json::object{}, json::object{{"roles", "Viewer"}},
                                           json::object{{"roles", nullptr}}, json::object{{"roles", json::array{1, 2}}},
                                           json::array{"Viewer"}};
  for (const auto& body : bodies) {
    INFO("body " << json::serialize(body));
    kt::CheckError(kt::PutJson(port, target, body, admin), 400);
  }
  kt::CheckError(kt::Send(port, "PUT", target, "{\"roles\":[",
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
  const json::object reset = kt::CheckJsonObject(response, 200, {"tempPassword"});
  const std::string temp_password = kt::StringField(reset, "tempPassword");
  CHECK(temp_password.size() >= 8);
  CHECK(temp_password != user.password);

  kt::CheckError(kt::PasswordLogin(port, "uma@example.com", user.password), 401);
  const std::string jwt = kt::PasswordToken(port, "uma@example.com", temp_password);
  CHECK(kt::StringField(kt::JwtClaims(jwt), "sub") == user.id);
}

TEST_CASE("A user changes their own password, which needs the current one and at least 8 characters", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "victor@example.com");

  {
    const std::string message =
        kt::CheckError(ChangeOwnPassword(port, user.token, user.password + "x", "brand-new-pass"), 400);
    CHECK(kt::Lower(message).find("password") != std::string::npos);
  }
  {
    const std::string message = kt::CheckError(ChangeOwnPassword(port, user.token, user.password, "short77"), 400);
    CHECK(kt::Lower(message).find("password") != std::string::npos);
  }
  kt::CheckError(ChangeOwnPassword(port, user.token, user.password, ""), 400);
  kt::CheckError(kt::PostJson(port, kMePassword, json::object{{"currentPassword", user.password}}, user.token), 400);
  kt::CheckError(kt::PostJson(port, kMePassword, json::object{{"newPassword", "brand-new-pass"}}, user.token), 400);
  kt::CheckError(kt::PostJson(port, kMePassword,
                              json::object{{"currentPassword", user.password}, {"newPassword", 12345678}}, user.token),
                 400);
  kt::CheckError(kt::PostJson(port, kMePassword, json::array{}, user.token), 400);
  kt::CheckError(ChangeOwnPassword(port, "", user.password, "brand-new-pass"), 401);
  kt::CheckError(ChangeOwnPassword(port, "not-a-jwt", user.password, "brand-new-pass"), 401);

  // Nothing changed so far: the original password still works.
  kt::PasswordToken(port, "victor@example.com", user.password);

  // Exactly 8 characters is enough.
  const kt::HttpResponse response = ChangeOwnPassword(port, user.token, user.password, "eight888");
  INFO(response.body);
  REQUIRE(response.status == 200);
  kt::CheckError(kt::PasswordLogin(port, "victor@example.com", user.password), 401);
  const std::string jwt = kt::PasswordToken(port, "victor@example.com", "eight888");
  CHECK(kt::StringField(kt::JwtClaims(jwt), "sub") == user.id);
}

TEST_CASE("An administrator changes their own password through /api/v1/me/password", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = ChangeOwnPassword(port, admin, kt::kAdminPassword, "a-much-better-password");
  INFO(response.body);
  REQUIRE(response.status == 200);
  kt::CheckError(kt::PasswordLogin(port, kt::kAdminEmail, kt::kAdminPassword), 401);
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
      kt::CheckError(kt::Get(port, kUsers, token), 403);
      kt::CheckError(
          CreateUserRaw(port, token, json::object{{"email", "evil@example.com"}, {"roles", RolesOf({kSysAdmin})}}),
          403);
      kt::CheckError(kt::Get(port, kt::JoinPath(kUsers, target.id), token), 403);
      kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, target.id), token), 403);
      kt::CheckError(PutRoles(port, token, target.id, {kSysAdmin}), 403);
      kt::CheckError(PutRoles(port, token, caller.id, {kSysAdmin}), 403);
      kt::CheckError(ResetPassword(port, token, target.id), 403);
      kt::CheckError(kt::Get(port, kt::JoinPath(kUsers, kt::kUnknownUuid), token), 403);
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

  const std::string tampered = kt::TamperSignature(admin);
  for (const std::string& token : {std::string(), std::string("not-a-jwt"), tampered}) {
    INFO("token '" << token << "'");
    kt::CheckError(kt::Get(port, kUsers, token), 401);
    kt::CheckError(CreateUserRaw(port, token, json::object{{"email", "y@example.com"}, {"roles", RolesOf({"Viewer"})}}),
                   401);
    kt::CheckError(kt::Get(port, kt::JoinPath(kUsers, user.id), token), 401);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, user.id), token), 401);
    kt::CheckError(PutRoles(port, token, user.id, {"Editor"}), 401);
    kt::CheckError(ResetPassword(port, token, user.id), 401);
    kt::CheckError(ChangeOwnPassword(port, token, kt::kAdminPassword, "whatever-long"), 401);
    kt::CheckError(kt::Get(port, kRoles, token), 401);
  }
  CHECK(ListUsers(port, admin).size() == 2);
}

TEST_CASE("The last System administrator can be neither deleted nor stripped of the role", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  std::string admin = kt::AdminToken(port);
  const std::string admin_id = kt::StringField(kt::JwtClaims(admin), "sub");

  {
    const std::string message = kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, admin_id), admin), 400);
    CHECK(kt::Lower(message).find("administrator") != std::string::npos);
  }
  for (const std::vector<std::string>& roles : {std::vector<std::string>{"Viewer"}, std::vector<std::string>{},
                                                std::vector<std::string>{"Department administrator"}}) {
    const std::string message = kt::CheckError(PutRoles(port, admin, admin_id, roles), 400);
    CHECK(kt::Lower(message).find("administrator") != std::string::npos);
  }
  // Keeping the role while adding another is fine.
  const kt::HttpResponse kept = PutRoles(port, admin, admin_id, {"Viewer", kSysAdmin});
  INFO(kept.body);
  REQUIRE(kept.status == 200);
  CHECK(kt::Sorted(ParseUser(kt::AsObject(kept.Json())).roles) == kt::Sorted({kSysAdmin, "Viewer"}));
  CHECK(kt::Get(port, kUsers, admin).status == 200);

  // With a second administrator the first may be demoted, and then the second is the last.
  const kt::CreatedUser second = kt::CreateUser(port, admin, "yolanda@example.com", {kSysAdmin});
  REQUIRE(PutRoles(port, second.token, admin_id, {"Viewer"}).status == 200);
  kt::CheckError(kt::Get(port, kUsers, admin), 401);  // the demotion ended that session
  kt::CheckError(kt::Get(port, kUsers, kt::AdminToken(port)), 403);
  {
    const std::string message = kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, second.id), second.token), 400);
    CHECK(kt::Lower(message).find("administrator") != std::string::npos);
  }
  kt::CheckError(PutRoles(port, second.token, second.id, {"Editor"}), 400);
  CHECK(GetUser(port, second.token, second.id).roles == std::vector<std::string>{kSysAdmin});

  // Promote the first again; now either may go.
  REQUIRE(PutRoles(port, second.token, admin_id, {kSysAdmin}).status == 200);
  admin = kt::AdminToken(port);
  const kt::HttpResponse removed = kt::Delete(port, kt::JoinPath(kUsers, second.id), admin);
  INFO(removed.body);
  CHECK(removed.status == 204);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kUsers, admin_id), admin), 400);
  const std::vector<User> users = ListUsers(port, admin);
  REQUIRE(users.size() == 1);
  CHECK(users[0].roles == std::vector<std::string>{kSysAdmin});
}

TEST_CASE("Users, roles and passwords survive a restart on the same directories", "[integration]") {
  const kt::ScopedTempDir data_dir, keys_dir;
  kt::ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  std::string user_id, new_password;
  {
    kt::KeymintProcess server(options);
    const std::string admin = kt::AdminToken(server.port());
    const kt::CreatedUser user = kt::CreateUser(server.port(), admin, "zoe@example.com", {"Viewer"});
    user_id = user.id;
    REQUIRE(PutRoles(server.port(), admin, user.id, {"Editor", "L2 researcher"}).status == 200);
    const kt::HttpResponse reset = ResetPassword(server.port(), admin, user.id);
    REQUIRE(reset.status == 200);
    new_password = kt::StringField(kt::AsObject(reset.Json()), "tempPassword");
    CHECK(server.Stop() == 0);
  }
  {
    kt::KeymintProcess server(options);
    const std::string admin = kt::AdminToken(server.port());
    const User user = GetUser(server.port(), admin, user_id);
    CHECK(user.username == "zoe@example.com");
    CHECK(kt::Sorted(user.roles) == kt::Sorted({"Editor", "L2 researcher"}));
    CHECK(ListUsers(server.port(), admin).size() == 2);
    const std::string jwt = kt::PasswordToken(server.port(), "zoe@example.com", new_password);
    CHECK(TokenRoles(jwt) == kt::Sorted({"Editor", "L2 researcher"}));
  }
}

TEST_CASE("Concurrent creates of one email yield exactly one user", "[integration]") {
  // Each create hashes a temporary password through the password gate, one
  // at a time: a wait long enough for a loaded machine keeps this about the
  // email race, not the gate.
  kt::KeymintProcess server(kt::WithEnv({{"KEYMINT_PASSWORD_QUEUE_WAIT_MS", "60000"}}));
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<kt::HttpResponse> responses = kt::Concurrently(8, [&](int) {
    return kt::PostJson(port, kUsers, json::object{{"email", "twin@example.com"}, {"roles", RolesOf({"Viewer"})}},
                        admin);
  });
  CHECK(kt::CountStatus(responses, 201) == 1);
  CHECK(kt::CountStatus(responses, 409) == 7);
  const std::vector<User> users = ListUsers(port, admin);
  CHECK(users.size() == 2);
  for (const auto& response : responses) {
    if (response.status != 201) continue;
    const json::value body = response.Json();
    kt::PasswordToken(port, "twin@example.com", kt::StringField(kt::AsObject(body), "tempPassword"));
  }
}

TEST_CASE("Two administrators demoting each other at once leave a System administrator", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string first_id = kt::StringField(kt::JwtClaims(kt::AdminToken(port)), "sub");
  const kt::CreatedUser second = kt::CreateUser(port, kt::AdminToken(port), "second-admin@example.com", {kSysAdmin});

  for (int round = 0; round < 6; ++round) {
    INFO("round " << round);
    // A demotion ends the demoted one's session: both log in afresh each round.
    const std::string first = kt::AdminToken(port);
    const std::string second_token = kt::PasswordToken(port, second.email, second.password);
    const std::vector<kt::HttpResponse> responses = kt::Concurrently(2, [&](int i) {
      return i == 0 ? PutRoles(port, first, second.id, {"Viewer"}) : PutRoles(port, second_token, first_id, {"Viewer"});
    });
    CHECK(kt::CountStatus(responses, 200) <= 1);
    // Whoever is still an administrator can list users; there must be one.
    const bool first_is_admin = kt::Get(port, kUsers, first).status == 200;
    const std::string survivor = first_is_admin ? first : second_token;
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
    const std::string survivor_id = kt::StringField(kt::JwtClaims(survivor), "sub");
    const kt::CreatedUser other =
        kt::CreateUser(port, survivor, "other-admin-" + std::to_string(round) + "@example.com", {kSysAdmin});
    const std::vector<kt::HttpResponse> responses = kt::Concurrently(2, [&](int i) {
      return i == 0 ? kt::Delete(port, kt::JoinPath(kUsers, other.id), survivor)
                    : kt::Delete(port, kt::JoinPath(kUsers, survivor_id), other.token);
    });
    CHECK(kt::CountStatus(responses, 204) == 1);
    if (responses[1].status == 204) survivor = other.token;
    const std::vector<User> users = ListUsers(port, survivor);
    CHECK(users.size() == 1);
    CHECK(CountAdmins(users) == 1);
  }
}
