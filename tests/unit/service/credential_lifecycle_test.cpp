// The credential lifecycle (README "Credential lifecycle") through the real
// services on a fake clock: a replaced secret's grace period, expiry and
// scoped access keys, at the token service, the authenticator and the
// services that set them up.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keymint/service/access_key_service.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/client_credentials.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/service/service_account_service.hpp"
#include "keymint/service/token_service.hpp"
#include "unit/test_support/jwt.hpp"
#include "unit/test_support/service_env.hpp"

namespace json = boost::json;
using keymint::AccessKeyOptions;
using keymint::AccessKeyService;
using keymint::Authenticator;
using keymint::CredentialPolicy;
using keymint::CredentialRecord;
using keymint::ErrorCode;
using keymint::Principal;
using keymint::RoleCatalog;
using keymint::ServiceAccountService;
using keymint::TokenService;
using keymint::UserRecord;
using keymint::testing::DefaultTokenSettings;
using keymint::testing::JwtClaims;
using keymint::testing::ServiceEnv;

namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kDay = 86400 * kSecond;

std::vector<std::string> Roles(const std::string& jwt) {
  const json::object claims = JwtClaims(jwt);
  std::vector<std::string> out;
  for (const auto& role : claims.at("roles").as_array()) out.emplace_back(role.as_string());
  return out;
}

struct LifecycleFixture : ServiceEnv {
  CredentialPolicy policy{3600, 0};
  RoleCatalog catalog;
  AccessKeyService access_keys{*store, hasher, clock, 20, nullptr, policy};
  ServiceAccountService service_accounts{*store, hasher, catalog, clock, 1000, nullptr, policy};
  std::unique_ptr<TokenService> tokens = MakeTokens();
  Authenticator authenticator{*store, keys, clock, DefaultTokenSettings().issuer, DefaultTokenSettings().audience};
  UserRecord ada = AddUser("ada@example.com", {"L1 researcher", "Viewer"});

  // Creates one of ada's keys through the service; returns {client ID, secret, id}.
  struct Key {
    std::string client_id, secret, id;
  };
  Key MustCreateKey(const AccessKeyOptions& options = {}, std::string_view name = "ci") {
    auto created = access_keys.Create(Principal::OfUser(ada), name, {}, options);
    INFO((created.ok() ? std::string() : created.error().message));
    REQUIRE(created.ok());
    return {created->value.client_id, created->secret, created->value.id};
  }
  CredentialRecord Stored(const std::string& id) {
    auto found = store->GetCredential(id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return **found;
  }
  bool Mints(const std::string& client_id, const std::string& secret) {
    return tokens->ExchangeClientCredentials(client_id, secret).ok();
  }
  void RequireRefusedAsWrongSecret(const std::string& client_id, const std::string& secret) {
    auto result = tokens->ExchangeClientCredentials(client_id, secret);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kUnauthenticated);
    CHECK(result.error().message == "invalid client credentials");
  }
  std::string MustMint(const std::string& client_id, const std::string& secret) {
    auto issued = tokens->ExchangeClientCredentials(client_id, secret);
    INFO((issued.ok() ? std::string() : issued.error().message));
    REQUIRE(issued.ok());
    return issued->jwt;
  }
};

}  // namespace

TEST_CASE_METHOD(LifecycleFixture, "a replaced secret keeps minting for its grace period, then stops by itself",
                 "[service]") {
  const Key key = MustCreateKey();
  const std::string before = MustMint(key.client_id, key.secret);
  // Shorter than the tokens' lifetime (600 s), so that what ends them is the grace period.
  auto fresh = access_keys.RegenerateOwn(Principal::OfUser(ada), key.id, {}, 60);
  REQUIRE(fresh.ok());

  // Both secrets mint; the old one's tokens carry the old generation, and the
  // management API accepts those (and tokens minted before) until the end.
  const std::string from_old = MustMint(key.client_id, key.secret);
  const std::string from_new = MustMint(key.client_id, *fresh);
  CHECK(JwtClaims(from_old).at("gen").as_int64() + 1 == JwtClaims(from_new).at("gen").as_int64());
  CHECK(authenticator.Authenticate(before).ok());
  CHECK(authenticator.Authenticate(from_old).ok());
  CHECK(authenticator.Authenticate(from_new).ok());

  clock.Advance(60 * kSecond - 1);
  CHECK(Mints(key.client_id, key.secret));
  clock.Advance(1);  // the grace period's end: refused from this instant on
  RequireRefusedAsWrongSecret(key.client_id, key.secret);
  CHECK(Mints(key.client_id, *fresh));
  CHECK_FALSE(authenticator.Authenticate(from_old).ok());
  CHECK(authenticator.Authenticate(from_new).ok());
}

TEST_CASE_METHOD(LifecycleFixture, "without a grace period the old secret stops at once, as before", "[service]") {
  const Key key = MustCreateKey();
  const std::string before = MustMint(key.client_id, key.secret);
  auto fresh = access_keys.RegenerateOwn(Principal::OfUser(ada), key.id);
  REQUIRE(fresh.ok());
  RequireRefusedAsWrongSecret(key.client_id, key.secret);
  CHECK(Mints(key.client_id, *fresh));
  CHECK_FALSE(authenticator.Authenticate(before).ok());
  CHECK(Stored(key.id).previous_secret_hash.empty());
}

TEST_CASE_METHOD(LifecycleFixture, "regenerating during a grace period ends the older secret at once", "[service]") {
  const Key key = MustCreateKey();
  const std::string first_token = MustMint(key.client_id, key.secret);
  auto second = access_keys.RegenerateOwn(Principal::OfUser(ada), key.id, {}, 600);
  REQUIRE(second.ok());
  auto third = access_keys.RegenerateOwn(Principal::OfUser(ada), key.id, {}, 600);
  REQUIRE(third.ok());
  RequireRefusedAsWrongSecret(key.client_id, key.secret);
  CHECK_FALSE(authenticator.Authenticate(first_token).ok());
  CHECK(Mints(key.client_id, *second));  // the one just replaced is in grace
  CHECK(Mints(key.client_id, *third));

  // And a regeneration without grace ends the one in grace too.
  auto fourth = access_keys.RegenerateOwn(Principal::OfUser(ada), key.id);
  REQUIRE(fourth.ok());
  RequireRefusedAsWrongSecret(key.client_id, *third);
  CHECK(Mints(key.client_id, *fourth));
}

TEST_CASE_METHOD(LifecycleFixture, "a grace period outside 0..max is refused and changes nothing", "[service]") {
  const Key key = MustCreateKey();
  for (int64_t grace : {int64_t{-1}, int64_t{3601}}) {
    auto refused = access_keys.RegenerateOwn(Principal::OfUser(ada), key.id, {}, grace);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
    CHECK(refused.error().message == "graceSeconds must be an integer between 0 and 3600");
  }
  CHECK(Mints(key.client_id, key.secret));
  CHECK(access_keys.RegenerateOwn(Principal::OfUser(ada), key.id, {}, 3600).ok());
}

TEST_CASE_METHOD(LifecycleFixture, "disabling a service account ends its previous secret's grace", "[service]") {
  auto created = service_accounts.Create("admin@example.com", "pipeline", {"Viewer"});
  REQUIRE(created.ok());
  const std::string client_id = created->value.client_id;
  clock.Advance(kSecond);  // an update time of its own
  auto fresh = service_accounts.RegenerateSecret(created->value.id, {}, 600);
  REQUIRE(fresh.ok());
  CHECK(Mints(client_id, created->secret));
  auto details = service_accounts.GetDetails(created->value.id);
  REQUIRE(details.ok());
  CHECK(details->state.secret_grace_ends_at_ms == clock.NowMillis() + 600 * kSecond);

  REQUIRE(service_accounts.Update(created->value.id, {false, std::nullopt}).ok());
  REQUIRE(service_accounts.Update(created->value.id, {true, std::nullopt}).ok());
  RequireRefusedAsWrongSecret(client_id, created->secret);
  CHECK(Mints(client_id, *fresh));
  CHECK_FALSE(service_accounts.GetDetails(created->value.id)->state.secret_grace_ends_at_ms);
}

TEST_CASE_METHOD(LifecycleFixture, "an expired credential is refused like a wrong secret, and so are its tokens",
                 "[service]") {
  AccessKeyOptions options;
  options.expires_at_ms = clock.NowMillis() + 60 * kSecond;  // before its tokens (600 s) would
  const Key key = MustCreateKey(options);
  const std::string token = MustMint(key.client_id, key.secret);
  CHECK(Stored(key.id).expires_at_ms == options.expires_at_ms);

  clock.Advance(60 * kSecond - 1);
  CHECK(Mints(key.client_id, key.secret));
  CHECK(authenticator.Authenticate(token).ok());
  clock.Advance(1);
  RequireRefusedAsWrongSecret(key.client_id, key.secret);
  auto refused = authenticator.Authenticate(token);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "the client credentials behind this token expired");
  // Still listed, so its owner sees why.
  auto listed = access_keys.ListOwn(Principal::OfUser(ada));
  REQUIRE(listed.ok());
  CHECK(listed->size() == 1);
}

TEST_CASE_METHOD(LifecycleFixture, "an expired service account is refused like a wrong secret", "[service]") {
  auto created = service_accounts.Create("admin@example.com", "nightly", {"Viewer"}, {}, clock.NowMillis() + kSecond);
  REQUIRE(created.ok());
  CHECK(Mints(created->value.client_id, created->secret));
  clock.Advance(kSecond);
  RequireRefusedAsWrongSecret(created->value.client_id, created->secret);
}

TEST_CASE_METHOD(LifecycleFixture, "an expiry must lie in the future", "[service]") {
  for (int64_t at : {clock.NowMillis(), clock.NowMillis() - kDay}) {
    AccessKeyOptions options;
    options.expires_at_ms = at;
    auto refused = access_keys.Create(Principal::OfUser(ada), "ci", {}, options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
    CHECK(refused.error().message == "expiresAt must be in the future");
    auto account = service_accounts.Create("admin@example.com", "nightly", {}, {}, at);
    REQUIRE_FALSE(account.ok());
    CHECK(account.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("a maximum lifetime gives new credentials an expiry and caps a requested one", "[service]") {
  ServiceEnv env;
  const CredentialPolicy policy{86400, 30};
  AccessKeyService keys(*env.store, env.hasher, env.clock, 20, nullptr, policy);
  const UserRecord ada = env.AddUser("ada@example.com", {"Viewer"});
  const int64_t now = env.clock.NowMillis();

  auto defaulted = keys.Create(Principal::OfUser(ada), "default");
  REQUIRE(defaulted.ok());
  CHECK(keys.GetOwnDetails(Principal::OfUser(ada), defaulted->value.id)->state.expires_at_ms == now + 30 * kDay);

  AccessKeyOptions at_max;
  at_max.expires_at_ms = now + 30 * kDay;
  CHECK(keys.Create(Principal::OfUser(ada), "at-max", {}, at_max).ok());

  AccessKeyOptions beyond;
  beyond.expires_at_ms = now + 30 * kDay + 1;
  auto refused = keys.Create(Principal::OfUser(ada), "beyond", {}, beyond);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.error().message.starts_with("expiresAt must be at most 30 days ahead"));
}

TEST_CASE_METHOD(LifecycleFixture, "a scoped key's tokens carry the scope and the owner's roles at mint time",
                 "[service]") {
  AccessKeyOptions options;
  options.scope = std::vector<std::string>{"Viewer"};
  const Key key = MustCreateKey(options);
  const std::string token = MustMint(key.client_id, key.secret);
  CHECK(Roles(token) == std::vector<std::string>{"Viewer"});
  auto principal = authenticator.Authenticate(token);
  REQUIRE(principal.ok());
  CHECK(principal->roles == std::vector<std::string>{"Viewer"});  // never more than the scope

  // The owner loses the role: the key's tokens lose it too.
  ada.roles = {"L1 researcher"};
  Update(ada);
  CHECK(Roles(MustMint(key.client_id, key.secret)).empty());
  principal = authenticator.Authenticate(token);
  REQUIRE(principal.ok());
  CHECK(principal->roles.empty());

  // An unscoped key carries all of the owner's roles, as before.
  const Key unscoped = MustCreateKey({}, "unscoped");
  CHECK(Roles(MustMint(unscoped.client_id, unscoped.secret)) == std::vector<std::string>{"L1 researcher"});
}

TEST_CASE_METHOD(LifecycleFixture, "a scope must be a non-empty subset of the owner's roles", "[service]") {
  auto refuse = [&](std::vector<std::string> scope, const std::string& message) {
    AccessKeyOptions options;
    options.scope = std::move(scope);
    auto refused = access_keys.Create(Principal::OfUser(ada), "scoped", {}, options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
    CHECK(refused.error().message == message);
  };
  refuse({"System administrator"}, "roles: the owner does not hold the role \"System administrator\"");
  refuse({}, "roles: name at least one role, or leave roles out");
  refuse({"Viewer", "Viewer"}, "roles: \"Viewer\" is listed twice");
  AccessKeyOptions options;
  options.scope = std::vector<std::string>{"Viewer", "L1 researcher"};
  const Key key = MustCreateKey(options);
  // In the owner's order, whatever the scope's.
  CHECK(Roles(MustMint(key.client_id, key.secret)) == std::vector<std::string>{"L1 researcher", "Viewer"});
}

TEST_CASE_METHOD(LifecycleFixture, "details show expiry, scope, enabled and the grace period's end", "[service]") {
  AccessKeyOptions options;
  options.scope = std::vector<std::string>{"Viewer"};
  options.expires_at_ms = clock.NowMillis() + kDay;
  const Key key = MustCreateKey(options);
  auto details = access_keys.GetOwnDetails(Principal::OfUser(ada), key.id);
  REQUIRE(details.ok());
  CHECK(details->state.enabled);
  CHECK(details->state.expires_at_ms == options.expires_at_ms);
  CHECK(details->state.scope == options.scope);
  CHECK_FALSE(details->state.secret_grace_ends_at_ms);

  REQUIRE(access_keys.RegenerateOwn(Principal::OfUser(ada), key.id, {}, 60).ok());
  CHECK(access_keys.GetAnyDetails(key.id)->state.secret_grace_ends_at_ms == clock.NowMillis() + 60 * kSecond);
  clock.Advance(60 * kSecond);
  CHECK_FALSE(access_keys.GetAnyDetails(key.id)->state.secret_grace_ends_at_ms);  // over: shown as none

  // Another user's key is not found, as everywhere else.
  const UserRecord bob = AddUser("bob@example.com", {"Viewer"});
  auto foreign = access_keys.GetOwnDetails(Principal::OfUser(bob), key.id);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().code == ErrorCode::kNotFound);
}

TEST_CASE("ScopedRoles keeps the owner's roles the scope names, in the owner's order", "[service]") {
  using keymint::ScopedRoles;
  CHECK(ScopedRoles({"b", "a"}, {"a", "b", "c"}) == std::vector<std::string>{"a", "b"});
  CHECK(ScopedRoles({"x"}, {"a"}).empty());
  CHECK(ScopedRoles({"a"}, {}).empty());
}
