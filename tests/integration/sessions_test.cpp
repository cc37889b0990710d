// Sessions end when they should (API.md §9, "sessions end"): a password reset
// or change, losing System administrator, deleting the user, a regenerated
// secret and a service-account disable refuse every earlier bearer token on
// the management API, to the exact change rather than to the second.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"

namespace {

namespace json = boost::json;
namespace kt = keymint::testing;

constexpr const char* kUsers = "/api/v1/users";
constexpr const char* kKeys = "/api/v1/access-keys";
constexpr const char* kUserApps = "/api/v1/user-applications";
constexpr const char* kSysAdmin = "System administrator";

// A management 401: the Error shape and a Bearer challenge.
void CheckUnauthorized(const kt::HttpResponse& response) {
  kt::CheckError(response, 401);
  INFO("WWW-Authenticate: " << response.Header("WWW-Authenticate"));
  CHECK(response.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
}

// POST /api/v1/access-keys {"name"} as `token`: the write the tokens are tried on.
kt::HttpResponse CreateKey(uint16_t port, const std::string& token, const std::string& name) {
  return kt::PostJson(port, kKeys, kt::NameBody(name), token);
}

// CHECKs that `token` may still create an access key (201).
void CheckCreatesKey(uint16_t port, const std::string& token, const std::string& name) {
  const kt::HttpResponse response = CreateKey(port, token, name);
  INFO("create access key " << name << ": " << response.status << " " << response.body);
  CHECK(response.status == 201);
}

// CHECKs that `token` is refused on writes and reads of the management API.
void CheckSessionEnded(uint16_t port, const std::string& token, const std::string& key_name) {
  CheckUnauthorized(CreateKey(port, token, key_name));
  CheckUnauthorized(kt::Get(port, kKeys, token));
  CheckUnauthorized(kt::Get(port, "/api/v1/authorization/roles", token));
}

kt::HttpResponse PutRoles(uint16_t port, const std::string& token, const std::string& id,
                          const std::vector<std::string>& roles) {
  json::array array;
  for (const auto& role : roles) array.emplace_back(role);
  return kt::PutJson(port, kt::JoinPath(kUsers, id) + "/roles", json::object{{"roles", array}}, token);
}

std::string ResetPassword(uint16_t port, const std::string& admin_token, const std::string& id) {
  const kt::HttpResponse response =
      kt::PostJson(port, kt::JoinPath(kUsers, id) + "/password", json::object{}, admin_token);
  INFO("password reset: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return kt::StringField(kt::AsObject(response.Json()), "tempPassword");
}

kt::HttpResponse ChangeOwnPassword(uint16_t port, const std::string& token, const std::string& current,
                                   const std::string& replacement) {
  return kt::PostJson(port, "/api/v1/me/password",
                      json::object{{"currentPassword", current}, {"newPassword", replacement}}, token);
}

int64_t IssuedAt(const std::string& jwt) {
  const json::object claims = kt::JwtClaims(jwt);
  REQUIRE(claims.contains("iat"));
  REQUIRE(claims.at("iat").is_int64());
  return claims.at("iat").as_int64();
}

// Two tokens around one change: `before` minted just before it, `after` just after.
struct TokensAround {
  std::string before, after;
};

// Mints `before`, makes the change, mints `after`, and repeats (a few times at
// most) until both carry the same iat. Each step starts after the previous one
// has answered, so equal whole-second iats prove that the change happened in
// the very second `before` was minted in: the case a cut-off at whole seconds
// cannot tell apart. No sleeping; a round that straddles a second boundary is
// just tried again.
template <typename MintBefore, typename Change, typename MintAfter>
TokensAround AroundChangeInOneSecond(MintBefore mint_before, Change change, MintAfter mint_after) {
  constexpr int kAttempts = 5;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    TokensAround tokens;
    tokens.before = mint_before();
    change();
    tokens.after = mint_after();
    if (IssuedAt(tokens.before) == IssuedAt(tokens.after)) return tokens;
  }
  FAIL("the change never fell within the second of the token before it in " << kAttempts << " attempts");
  return {};
}

std::string MintOrFail(uint16_t port, const std::string& client_id, const std::string& secret) {
  const std::string token = kt::ClientCredentialsToken(port, client_id, secret);
  INFO("client_credentials exchange for " << client_id);
  REQUIRE_FALSE(token.empty());
  return token;
}

// POSTs `path` (a .../{id}/secret) as `token`; REQUIREs 200 and returns the new secret from `member`.
std::string RegenerateSecret(uint16_t port, const std::string& token, const std::string& path, const char* member) {
  const kt::HttpResponse response = kt::PostJson(port, path, json::object{}, token);
  INFO("POST " << path << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return kt::StringField(kt::AsObject(response.Json()), member);
}

struct CreatedAccount {
  std::string id, client_id, secret;
};

CreatedAccount CreateServiceAccount(uint16_t port, const std::string& admin_token, const std::string& name) {
  const kt::HttpResponse response = kt::PostJson(
      port, kt::kServiceAccountsPath, kt::ServiceAccountBody(name, std::vector<std::string>{kSysAdmin}), admin_token);
  INFO("create service account " << name << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  const json::object created = kt::AsObject(response.Json());
  return {kt::StringField(created, "id"), kt::StringField(created, "clientId"),
          kt::StringField(created, "clientSecret")};
}

void SetEnabled(uint16_t port, const std::string& admin_token, const std::string& id, bool enabled) {
  const kt::HttpResponse response =
      kt::PatchJson(port, kt::JoinPath(kt::kServiceAccountsPath, id), kt::EnabledBody(enabled), admin_token);
  INFO("PATCH enabled=" << enabled << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
}

}  // namespace

TEST_CASE(
    "An administrator's password reset ends the user's earlier password tokens, and the new password's token works",
    "[integration][sessions]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "reset-me@example.com", {"Viewer"});
  const kt::CreatedUser bystander = kt::CreateUser(port, admin, "bystander@example.com", {"Viewer"});
  CheckCreatesKey(port, user.token, "before-reset");

  // Minted right before the reset, in all likelihood in the same second.
  const std::string just_before = kt::PasswordToken(port, user.email, user.password);
  const std::string temp_password = ResetPassword(port, admin, user.id);

  CheckSessionEnded(port, user.token, "after-reset");
  CheckSessionEnded(port, just_before, "after-reset");
  const std::string fresh = kt::PasswordToken(port, user.email, temp_password);
  CheckCreatesKey(port, fresh, "after-reset");
  // Other sessions are untouched, the resetting administrator's included.
  CheckCreatesKey(port, bystander.token, "bystander-key");
  CHECK(kt::Get(port, kUsers, admin).status == 200);
  CHECK(kt::StringFields(kt::ListAccessKeys(port, fresh), "name") ==
        std::vector<std::string>{"before-reset", "after-reset"});
}

TEST_CASE("Changing one's own password ends one's earlier password tokens but not access-key tokens",
          "[integration][sessions]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "changer@example.com", {"Viewer"});
  const kt::CreatedKey key = kt::CreateAccessKey(port, user.token, "ci");
  const std::string key_token = MintOrFail(port, key.client_id, key.client_secret);
  const std::string second_session = kt::PasswordToken(port, user.email, user.password);
  CheckCreatesKey(port, second_session, "before-change");

  const kt::HttpResponse changed = ChangeOwnPassword(port, user.token, user.password, "a-new-password-42");
  INFO("change: " << changed.status << " " << changed.body);
  REQUIRE(changed.status == 200);

  // The token that made the change, and every other earlier password session.
  CheckSessionEnded(port, user.token, "after-change");
  CheckSessionEnded(port, second_session, "after-change");
  const std::string fresh = kt::PasswordToken(port, user.email, "a-new-password-42");
  CheckCreatesKey(port, fresh, "after-change");
  // An access key is a credential of its own: its tokens (and its secret) outlive the password.
  CHECK(kt::Get(port, kKeys, key_token).status == 200);
  CheckCreatesKey(port, key_token, "by-key");
  kt::CheckKeyMints(port, key.client_id, key.client_secret);
}

TEST_CASE("Losing System administrator ends the user's earlier tokens, and a new token has the reduced rights",
          "[integration][sessions]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser deputy = kt::CreateUser(port, admin, "deputy@example.com", {kSysAdmin});
  const kt::CreatedUser viewer = kt::CreateUser(port, admin, "plain@example.com", {"Viewer"});
  REQUIRE(kt::Get(port, kUsers, deputy.token).status == 200);

  // Role changes that do not take System administrator away end nothing.
  REQUIRE(PutRoles(port, admin, deputy.id, {kSysAdmin, "Editor"}).status == 200);
  REQUIRE(PutRoles(port, admin, viewer.id, {"Editor"}).status == 200);
  CHECK(kt::Get(port, kUsers, deputy.token).status == 200);
  CheckCreatesKey(port, viewer.token, "still-here");

  const std::string just_before = kt::PasswordToken(port, deputy.email, deputy.password);
  REQUIRE(PutRoles(port, admin, deputy.id, {"Editor"}).status == 200);

  CheckUnauthorized(kt::Get(port, kUsers, deputy.token));
  CheckSessionEnded(port, deputy.token, "after-demotion");
  CheckSessionEnded(port, just_before, "after-demotion");
  const std::string fresh = kt::PasswordToken(port, deputy.email, deputy.password);
  kt::CheckError(kt::Get(port, kUsers, fresh), 403);
  CheckCreatesKey(port, fresh, "after-demotion");
  CHECK(kt::Get(port, kUsers, admin).status == 200);

  // Being promoted again does not revive the ended tokens.
  REQUIRE(PutRoles(port, admin, deputy.id, {kSysAdmin}).status == 200);
  CheckUnauthorized(kt::Get(port, kUsers, deputy.token));
  CHECK(kt::Get(port, kUsers, fresh).status == 200);
}

TEST_CASE("Deleting a user ends their tokens", "[integration][sessions]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "leaving@example.com", {kSysAdmin});
  const kt::CreatedKey key = kt::CreateAccessKey(port, user.token, "ci");
  const std::string key_token = MintOrFail(port, key.client_id, key.client_secret);
  REQUIRE(kt::Get(port, kUsers, user.token).status == 200);

  REQUIRE(kt::Delete(port, kt::JoinPath(kUsers, user.id), admin).status == 204);
  CheckSessionEnded(port, user.token, "after-delete");
  CheckSessionEnded(port, key_token, "after-delete");
  CheckUnauthorized(kt::Get(port, kUsers, user.token));
  CHECK(kt::UserIdByEmail(port, admin, user.email).empty());
}

TEST_CASE(
    "A token minted with a secret in the same second it is regenerated is refused, and the new secret's token works",
    "[integration][sessions]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser owner = kt::CreateUser(port, admin, "rotator@example.com", {"Viewer"});

  struct Case {
    const char* what;
    std::string client_id, secret, regenerate_path;
    const char* secret_member;
    std::string probe, probe_token;
  };
  std::vector<Case> cases;
  {
    const kt::CreatedKey key = kt::CreateAccessKey(port, owner.token, "rotating-key");
    cases.push_back({"access key", key.client_id, key.client_secret, kt::JoinPath(kKeys, key.id) + "/secret",
                     "clientSecret", kKeys, owner.token});
  }
  {
    const kt::CreatedKey key = kt::CreateAccessKey(port, owner.token, "rotating-app");
    cases.push_back({"user application", key.client_id, key.client_secret, kt::JoinPath(kUserApps, key.id) + "/secret",
                     "clientSecret", kKeys, owner.token});
  }
  {
    const CreatedAccount account = CreateServiceAccount(port, admin, "rotating-account");
    cases.push_back({"service account", account.client_id, account.secret,
                     kt::JoinPath(kt::kServiceAccountsPath, account.id) + "/secret", "clientSecret", kUsers, admin});
  }
  {
    const CreatedAccount account = CreateServiceAccount(port, admin, "rotating-legacy-app");
    cases.push_back({"application", account.client_id, account.secret,
                     kt::JoinPath(kt::kAppsPath, account.id) + "/secret", "secret", kUsers, admin});
  }

  for (Case& c : cases) {
    INFO(c.what);
    std::string secret = c.secret;
    const TokensAround tokens = AroundChangeInOneSecond(
        [&] {
          const std::string token = MintOrFail(port, c.client_id, secret);
          REQUIRE(kt::Get(port, c.probe, token).status == 200);
          return token;
        },
        [&] { secret = RegenerateSecret(port, c.probe_token, c.regenerate_path, c.secret_member); },
        [&] { return MintOrFail(port, c.client_id, secret); });

    CheckUnauthorized(kt::Get(port, c.probe, tokens.before));
    CheckUnauthorized(CreateKey(port, tokens.before, "from-the-old-secret"));
    CHECK(kt::Get(port, c.probe, tokens.after).status == 200);
  }
  // Regenerating a key ends neither its owner's password session nor their other keys' tokens.
  CheckCreatesKey(port, owner.token, "owner-still-in");
}

TEST_CASE("A service account's token from before a disable stays refused after it is enabled again",
          "[integration][sessions]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateServiceAccount(port, admin, "flapping");
  const CreatedAccount other = CreateServiceAccount(port, admin, "steady");
  const std::string other_token = MintOrFail(port, other.client_id, other.secret);

  const TokensAround tokens = AroundChangeInOneSecond(
      [&] {
        const std::string token = MintOrFail(port, account.client_id, account.secret);
        REQUIRE(kt::Get(port, kUsers, token).status == 200);
        return token;
      },
      [&] {
        SetEnabled(port, admin, account.id, false);
        SetEnabled(port, admin, account.id, true);
      },
      [&] { return MintOrFail(port, account.client_id, account.secret); });

  CheckUnauthorized(kt::Get(port, kUsers, tokens.before));
  CheckUnauthorized(kt::Get(port, kt::kServiceAccountsPath, tokens.before));
  CHECK(kt::Get(port, kUsers, tokens.after).status == 200);
  CHECK(kt::Get(port, kUsers, other_token).status == 200);

  // A disable alone refuses the token minted after the re-enable, and the next enable does not revive it.
  SetEnabled(port, admin, account.id, false);
  CheckUnauthorized(kt::Get(port, kUsers, tokens.after));
  SetEnabled(port, admin, account.id, true);
  CheckUnauthorized(kt::Get(port, kUsers, tokens.after));
  CHECK(kt::Get(port, kUsers, MintOrFail(port, account.client_id, account.secret)).status == 200);
}
