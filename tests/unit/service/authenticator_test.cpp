#include "keymint/service/authenticator.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/service/service_account_service.hpp"
#include "keymint/service/user_service.hpp"
#include "unit/test_support/jwt.hpp"
#include "unit/test_support/service_env.hpp"

namespace json = boost::json;
using keymint::Authenticator;
using keymint::ErrorCode;
using keymint::Principal;
using keymint::Result;
using keymint::TokenService;
using keymint::UserRecord;
using keymint::testing::DefaultTokenSettings;
using keymint::testing::JwtClaims;
using keymint::testing::ServiceEnv;

namespace {

constexpr int64_t kWholeSecondMs = 1'700'000'000'000;

struct AuthFixture : ServiceEnv {
  std::unique_ptr<TokenService> tokens = MakeTokens();
  Authenticator authenticator{*store, keys, clock, DefaultTokenSettings().issuer, DefaultTokenSettings().audience};
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");

  std::string KeyToken(const UserRecord& owner, std::string_view name = "ci") {
    auto key = AddAccessKey(owner, name);
    auto issued = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
    REQUIRE(issued.ok());
    return issued->jwt;
  }

  std::string PasswordToken() {
    auto issued = tokens->ExchangePassword("ada@example.com", "correct horse battery");
    REQUIRE(issued.ok());
    return issued->jwt;
  }

  Result<Principal> Auth(const std::string& jwt) const { return authenticator.Authenticate(jwt); }

  // `claims` signed with the active key, as if this keymint had minted them.
  std::string Sign(const json::object& claims) const {
    auto jwt = keymint::crypto::SignJws(keys.active(), keys.active_header(), json::serialize(claims));
    REQUIRE(jwt.ok());
    return *jwt;
  }

  void RequireRejected(std::string_view token) const {
    INFO("token: " << token);
    auto result = authenticator.Authenticate(token);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kUnauthenticated);
    CHECK_FALSE(result.error().message.empty());
  }
};

}  // namespace

TEST_CASE_METHOD(AuthFixture, "a token minted from an access key authenticates its owner", "[service]") {
  std::string jwt = KeyToken(ada);
  auto principal = Auth(jwt);
  REQUIRE(principal.ok());
  CHECK(principal->id == ada.id);
  CHECK(principal->name == "ada@example.com");
  CHECK(principal->roles == std::vector<std::string>{"Viewer"});
  CHECK_FALSE(principal->IsAdmin());
}

TEST_CASE_METHOD(AuthFixture, "a token minted by a password login authenticates the user", "[service]") {
  auto principal = Auth(PasswordToken());
  REQUIRE(principal.ok());
  CHECK(principal->id == ada.id);
}

TEST_CASE_METHOD(AuthFixture, "an empty token is rejected", "[service]") { RequireRejected(""); }

TEST_CASE_METHOD(AuthFixture, "a token still wrapped in its Authorization header is rejected", "[service]") {
  // The API layer strips the scheme; the Authenticator takes only the token.
  std::string jwt = KeyToken(ada);
  RequireRejected("Bearer " + jwt);
}

TEST_CASE_METHOD(AuthFixture, "a garbage or tampered token is rejected", "[service]") {
  std::string jwt = KeyToken(ada);
  RequireRejected("garbage");
  RequireRejected("a.b.c");
  RequireRejected("...");
  RequireRejected(jwt + "x");
  RequireRejected(jwt.substr(0, jwt.rfind('.')));      // no signature
  RequireRejected(jwt.substr(0, jwt.rfind('.') + 1));  // empty signature

  // Claims rewritten (roles escalated) under the original signature.
  auto parts = keymint::testing::SplitJws(jwt);
  json::object claims = JwtClaims(jwt);
  claims["roles"] = json::array{"System administrator"};
  std::string forged = parts[0] + "." + keymint::crypto::Base64UrlEncode(json::serialize(claims)) + "." + parts[2];
  RequireRejected(forged);
}

TEST_CASE_METHOD(AuthFixture, "a validly signed token missing or mistyping a required claim is refused", "[service]") {
  const json::object good = JwtClaims(KeyToken(ada));
  auto sign = [&](const json::object& claims) {
    auto jwt = keymint::crypto::SignJws(keys.active(), keys.active_header(), json::serialize(claims));
    REQUIRE(jwt.ok());
    return *jwt;
  };
  REQUIRE(Auth(sign(good)).ok());  // re-signing the minted claims is accepted

  for (const char* claim : {"sub", "exp", "iss", "aud"}) {
    INFO("without " << claim);
    json::object claims = good;
    claims.erase(claim);
    RequireRejected(sign(claims));
  }
  json::object text_exp = good;
  text_exp["exp"] = std::to_string(good.at("exp").as_int64());
  RequireRejected(sign(text_exp));
  json::object array_aud = good;
  array_aud["aud"] = json::array{good.at("aud")};
  RequireRejected(sign(array_aud));
  json::object unknown_sub = good;
  unknown_sub["sub"] = keymint::crypto::NewUuidV4();
  RequireRejected(sign(unknown_sub));
  json::object unknown_client = good;
  unknown_client["client_id"] = "no-such-client";
  RequireRejected(sign(unknown_client));
}

TEST_CASE_METHOD(AuthFixture, "a token is refused from its exp instant on", "[service]") {
  std::string jwt = KeyToken(ada);
  const int64_t exp_ms = JwtClaims(jwt).at("exp").as_int64() * 1000;

  clock.Set(exp_ms - 1000);
  CHECK(Auth(jwt).ok());
  clock.Set(exp_ms - 1);
  CHECK(Auth(jwt).ok());
  clock.Set(exp_ms);
  RequireRejected(jwt);
  clock.Set(exp_ms + 3'600'000);
  RequireRejected(jwt);
}

TEST_CASE_METHOD(AuthFixture, "a token whose nbf is more than 1 s ahead is refused", "[service]") {
  clock.Set(kWholeSecondMs + 2000);  // minted with nbf = now + 2 s as the verifier sees it below
  std::string jwt = KeyToken(ada);
  REQUIRE(JwtClaims(jwt).at("nbf").as_int64() * 1000 == kWholeSecondMs + 2000);

  clock.Set(kWholeSecondMs);
  RequireRejected(jwt);
  clock.Set(kWholeSecondMs + 999);
  RequireRejected(jwt);
  clock.Set(kWholeSecondMs + 1000);  // exactly the 1 s leeway
  CHECK(Auth(jwt).ok());
}

TEST_CASE_METHOD(AuthFixture, "a token for another issuer is refused", "[service]") {
  auto settings = DefaultTokenSettings();
  settings.issuer = "https://other-issuer.test";
  auto foreign = MakeTokens(settings);
  auto key = AddAccessKey(ada, "ci");
  auto issued = foreign->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  RequireRejected(issued->jwt);
}

TEST_CASE_METHOD(AuthFixture, "a token for another audience is refused", "[service]") {
  auto settings = DefaultTokenSettings();
  settings.audience = "https://some-other-api.test";
  auto foreign = MakeTokens(settings);
  auto key = AddAccessKey(ada, "ci");
  auto issued = foreign->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  RequireRejected(issued->jwt);
}

TEST_CASE_METHOD(AuthFixture, "a token signed by a key outside our key ring is refused", "[service]") {
  keymint::crypto::KeyRing other = keymint::testing::OpenKeysOrFail(dir.Sub("other-keys"));
  REQUIRE(other.active().kid() != keys.active().kid());
  auto foreign = MakeTokens(DefaultTokenSettings(), &other);
  auto key = AddAccessKey(ada, "ci");
  auto issued = foreign->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  RequireRejected(issued->jwt);
}

TEST_CASE_METHOD(AuthFixture, "a token whose user was deleted is refused", "[service]") {
  std::string jwt = PasswordToken();
  REQUIRE(Auth(jwt).ok());
  Delete(ada);
  RequireRejected(jwt);
}

TEST_CASE_METHOD(AuthFixture, "a token minted from a deleted access key is refused", "[service]") {
  auto key = AddAccessKey(ada, "ci");
  auto issued = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  REQUIRE(Auth(issued->jwt).ok());

  Delete(key.record);
  RequireRejected(issued->jwt);
  // The user's password token is unaffected.
  CHECK(Auth(PasswordToken()).ok());
}

TEST_CASE_METHOD(AuthFixture, "IsAdmin follows the user's roles in the store, not the token's", "[service]") {
  std::string viewer_token = KeyToken(ada, "first");
  ada.roles = {"Editor", "System administrator"};
  Update(ada);

  auto promoted = Auth(viewer_token);  // the token still says Viewer
  REQUIRE(promoted.ok());
  CHECK(promoted->IsAdmin());
  CHECK(promoted->roles == std::vector<std::string>{"Editor", "System administrator"});

  std::string admin_token = KeyToken(ada, "second");
  ada.roles = {"Viewer"};
  Update(ada);
  auto demoted = Auth(admin_token);  // the token still says System administrator
  REQUIRE(demoted.ok());
  CHECK_FALSE(demoted->IsAdmin());
}

TEST_CASE("Principal::IsAdmin is true only with the System administrator role", "[service]") {
  UserRecord user;
  CHECK_FALSE(Principal::OfUser(user).IsAdmin());
  user.roles = {"Department administrator", "system administrator"};
  CHECK_FALSE(Principal::OfUser(user).IsAdmin());
  user.roles = {"Viewer", "System administrator"};
  CHECK(Principal::OfUser(user).IsAdmin());

  keymint::CredentialRecord account;
  account.kind = keymint::CredentialKind::kServiceAccount;
  account.name = "deployer";
  account.roles = {"Editor"};
  CHECK_FALSE(Principal::OfServiceAccount(account).IsAdmin());
  account.roles = {"System administrator"};
  CHECK(Principal::OfServiceAccount(account).IsAdmin());
}

TEST_CASE("Principal names a user by email and a service account by name", "[service]") {
  UserRecord user;
  user.email = "ada@example.com";
  CHECK(Principal::OfUser(user).name == "ada@example.com");
  CHECK(Principal::OfUser(user).IsUser());
  keymint::CredentialRecord account;
  account.name = "deployer";
  CHECK(Principal::OfServiceAccount(account).name == "deployer");
  CHECK_FALSE(Principal::OfServiceAccount(account).IsUser());
}

TEST_CASE_METHOD(AuthFixture, "a service account's token authenticates the account with its current roles",
                 "[service]") {
  auto account = AddServiceAccount("deployer", {"Editor"});
  auto issued = tokens->ExchangeClientCredentials(account.record.client_id, account.secret);
  REQUIRE(issued.ok());
  auto principal = Auth(issued->jwt);
  REQUIRE(principal.ok());
  CHECK_FALSE(principal->IsUser());
  CHECK(principal->name == "deployer");
  CHECK(principal->roles == std::vector<std::string>{"Editor"});
  CHECK_FALSE(principal->IsAdmin());

  // Roles changed after the token was minted count at once.
  account.record.roles = {"System administrator"};
  Update(account.record);
  auto promoted = Auth(issued->jwt);
  REQUIRE(promoted.ok());
  CHECK(promoted->IsAdmin());
}

TEST_CASE_METHOD(AuthFixture, "a disabled or deleted service account's tokens are rejected", "[service]") {
  auto account = AddServiceAccount("deployer", {"System administrator"});
  auto issued = tokens->ExchangeClientCredentials(account.record.client_id, account.secret);
  REQUIRE(issued.ok());
  REQUIRE(Auth(issued->jwt).ok());

  account.record.enabled = false;
  Update(account.record);
  RequireRejected(issued->jwt);
  account.record.enabled = true;
  Update(account.record);
  REQUIRE(Auth(issued->jwt).ok());

  Delete(account.record);
  RequireRejected(issued->jwt);
}

TEST_CASE_METHOD(AuthFixture, "a token whose sub does not match its client credential is rejected", "[service]") {
  // Signed by us, so only the subject/client pairing can stop it.
  auto account = AddServiceAccount("deployer", {"System administrator"});
  auto key = AddAccessKey(ada, "ci");
  const int64_t now = clock.NowMillis() / 1000;
  auto forge = [&](const std::string& sub, const std::string& client_id) {
    json::object claims{{"iss", DefaultTokenSettings().issuer},
                        {"aud", DefaultTokenSettings().audience},
                        {"sub", sub},
                        {"iat", now},
                        {"nbf", now},
                        {"exp", now + 600},
                        {"client_id", client_id}};
    auto jwt = keymint::crypto::SignJws(keys.active(), keys.active_header(), json::serialize(claims));
    REQUIRE(jwt.ok());
    return *jwt;
  };
  // Sanity: the honest pairings pass.
  REQUIRE(Auth(forge(account.record.id, account.record.client_id)).ok());
  REQUIRE(Auth(forge(ada.id, key.record.client_id)).ok());
  // A user's id with a service account's client, and the other way round.
  RequireRejected(forge(ada.id, account.record.client_id));
  RequireRejected(forge(account.record.id, key.record.client_id));
}

TEST_CASE_METHOD(AuthFixture, "tokens minted before a disable stay refused after the account is re-enabled",
                 "[service]") {
  auto account = AddServiceAccount("deployer", {"System administrator"});
  auto before = tokens->ExchangeClientCredentials(account.record.client_id, account.secret);
  REQUIRE(before.ok());
  clock.Advance(1000);
  keymint::RoleCatalog catalog;
  keymint::ServiceAccountService accounts{*store, hasher, catalog, clock};
  REQUIRE(accounts.Update(account.record.id, {false, std::nullopt}).ok());
  RequireRejected(before->jwt);
  REQUIRE(accounts.Update(account.record.id, {true, std::nullopt}).ok());
  RequireRejected(before->jwt);  // the re-enable does not revive it
  // A token minted now, in the same second as the re-enable, is accepted.
  auto after = tokens->ExchangeClientCredentials(account.record.client_id, account.secret);
  REQUIRE(after.ok());
  CHECK(Auth(after->jwt).ok());
}

TEST_CASE_METHOD(AuthFixture, "replacing a secret refuses the old secret's tokens but not the new one's", "[service]") {
  keymint::AccessKeyService access_keys{*store, hasher, clock, 20};
  auto key = access_keys.Create(Principal::OfUser(ada), "ci");
  REQUIRE(key.ok());
  auto old_token = tokens->ExchangeClientCredentials(key->value.client_id, key->secret);
  REQUIRE(old_token.ok());
  REQUIRE(Auth(old_token->jwt).ok());

  clock.Advance(1500);
  auto fresh = access_keys.RegenerateOwn(Principal::OfUser(ada), key->value.id);
  REQUIRE(fresh.ok());
  RequireRejected(old_token->jwt);
  // Minted in the very second of the rotation, from the new generation.
  auto new_token = tokens->ExchangeClientCredentials(key->value.client_id, *fresh);
  REQUIRE(new_token.ok());
  CHECK(Auth(new_token->jwt).ok());
  // The user's password token does not depend on the key.
  CHECK(Auth(PasswordToken()).ok());
}

TEST_CASE_METHOD(AuthFixture,
                 "a password token is refused once its user's generation moves on, and a new one is accepted",
                 "[service]") {
  const std::string before = PasswordToken();
  REQUIRE(Auth(before).ok());
  ada.generation = 1;  // as a password reset or change writes it, in the same millisecond
  Update(ada);
  RequireRejected(before);
  const std::string after = PasswordToken();
  CHECK(JwtClaims(after).at("gen").as_int64() == 1);
  CHECK(Auth(after).ok());
}

TEST_CASE_METHOD(AuthFixture, "a password reset through UserService ends the earlier password token at once",
                 "[service]") {
  keymint::RoleCatalog catalog;
  keymint::UserService users{*store, catalog, clock, limiter};
  const std::string before = PasswordToken();
  const std::string key_token = KeyToken(ada);
  auto temp = users.ResetPassword(ada.id);  // the clock does not move
  REQUIRE(temp.ok());
  RequireRejected(before);
  // The access key is a credential of its own; its token lives on.
  CHECK(Auth(key_token).ok());
  auto fresh = tokens->ExchangePassword("ada@example.com", *temp);
  REQUIRE(fresh.ok());
  CHECK(Auth(fresh->jwt).ok());
}

TEST_CASE_METHOD(AuthFixture, "an access key's token is not ended by its owner's generation", "[service]") {
  const std::string key_token = KeyToken(ada);
  ada.generation = 4;
  Update(ada);
  auto principal = Auth(key_token);
  REQUIRE(principal.ok());
  CHECK(principal->id == ada.id);  // the principal carries no generation: the check was against the store
}

TEST_CASE_METHOD(AuthFixture, "a client-credentials token is refused once its credential's generation moves on",
                 "[service]") {
  auto key = AddAccessKey(ada, "ci");
  auto account = AddServiceAccount("deployer", {"Editor"});
  for (auto* credential : {&key, &account}) {
    auto before = tokens->ExchangeClientCredentials(credential->record.client_id, credential->secret);
    REQUIRE(before.ok());
    REQUIRE(Auth(before->jwt).ok());
    credential->record.generation = 1;
    Update(credential->record);
    RequireRejected(before->jwt);
    auto after = tokens->ExchangeClientCredentials(credential->record.client_id, credential->secret);
    REQUIRE(after.ok());
    CHECK(Auth(after->jwt).ok());
  }
}

TEST_CASE_METHOD(AuthFixture, "a secret replaced in the same millisecond as the mint refuses the token", "[service]") {
  keymint::AccessKeyService access_keys{*store, hasher, clock, 20};
  keymint::RoleCatalog catalog;
  keymint::ServiceAccountService accounts{*store, hasher, catalog, clock};
  auto key = access_keys.Create(Principal::OfUser(ada), "ci");
  auto account = accounts.Create("admin@example.com", "deployer", {"Editor"});
  REQUIRE(key.ok());
  REQUIRE(account.ok());

  auto key_before = tokens->ExchangeClientCredentials(key->value.client_id, key->secret);
  auto account_before = tokens->ExchangeClientCredentials(account->value.client_id, account->secret);
  REQUIRE(key_before.ok());
  REQUIRE(account_before.ok());
  auto key_secret = access_keys.RegenerateOwn(Principal::OfUser(ada), key->value.id);
  auto account_secret = accounts.RegenerateSecret(account->value.id);
  REQUIRE(key_secret.ok());
  REQUIRE(account_secret.ok());
  RequireRejected(key_before->jwt);
  RequireRejected(account_before->jwt);

  auto key_after = tokens->ExchangeClientCredentials(key->value.client_id, *key_secret);
  auto account_after = tokens->ExchangeClientCredentials(account->value.client_id, *account_secret);
  REQUIRE(key_after.ok());
  REQUIRE(account_after.ok());
  CHECK(Auth(key_after->jwt).ok());
  CHECK(Auth(account_after->jwt).ok());
}

TEST_CASE_METHOD(AuthFixture, "a disable and re-enable in the same millisecond as the mint refuses the token",
                 "[service]") {
  keymint::RoleCatalog catalog;
  keymint::ServiceAccountService accounts{*store, hasher, catalog, clock};
  auto account = accounts.Create("admin@example.com", "deployer", {"Editor"});
  REQUIRE(account.ok());
  auto before = tokens->ExchangeClientCredentials(account->value.client_id, account->secret);
  REQUIRE(before.ok());
  REQUIRE(accounts.Update(account->value.id, {false, std::nullopt}).ok());
  REQUIRE(accounts.Update(account->value.id, {true, std::nullopt}).ok());
  RequireRejected(before->jwt);
  auto after = tokens->ExchangeClientCredentials(account->value.client_id, account->secret);
  REQUIRE(after.ok());
  CHECK(Auth(after->jwt).ok());
}

TEST_CASE_METHOD(AuthFixture, "exp and nbf far in the future are compared without overflow", "[service]") {
  // Found by the router fuzz target: exp * 1000 overflowed (undefined
  // behaviour). 9223372036854776 s is the first value for which it does.
  constexpr int64_t kOverflowsInMillis = INT64_MAX / 1000 + 1;
  json::object claims = JwtClaims(PasswordToken());
  claims["exp"] = kOverflowsInMillis;
  CHECK(Auth(Sign(claims)).ok());  // expires in 292 million years: not expired
  claims["exp"] = INT64_MAX;
  CHECK(Auth(Sign(claims)).ok());
  claims["nbf"] = kOverflowsInMillis;
  RequireRejected(Sign(claims));  // not valid for 292 million years
  claims["nbf"] = INT64_MAX;
  RequireRejected(Sign(claims));
}

TEST_CASE_METHOD(AuthFixture, "an absent gen counts as 0 and a gen that is not a non-negative integer is refused",
                 "[service]") {
  json::object claims = JwtClaims(PasswordToken());
  claims.erase("gen");
  const std::string without_gen = Sign(claims);
  CHECK(Auth(without_gen).ok());

  for (const json::value& bad : {json::value("0"), json::value(-1), json::value(0.0), json::value(true),
                                 json::value(nullptr), json::value(json::array{0})}) {
    INFO("gen " << json::serialize(bad));
    claims["gen"] = bad;
    RequireRejected(Sign(claims));
  }

  ada.generation = UINT64_MAX;
  Update(ada);
  RequireRejected(without_gen);
  claims["gen"] = UINT64_MAX;
  CHECK(Auth(Sign(claims)).ok());
  claims["gen"] = UINT64_MAX - 1;
  RequireRejected(Sign(claims));
}

TEST_CASE_METHOD(AuthFixture, "a token without gen, from an earlier version, passes only at generation 0",
                 "[service]") {
  auto key = AddAccessKey(ada, "legacy");
  auto minted = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(minted.ok());
  json::object claims = JwtClaims(minted->jwt);
  claims.erase("gen");
  const std::string without_gen = Sign(claims);
  CHECK(Auth(without_gen).ok());

  // As the store decodes a key an earlier version had cut off (record_codec_test).
  key.record.generation = 1;
  Update(key.record);
  RequireRejected(without_gen);
}
