#include "keymint/service/service_account_service.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keymint/crypto/client_secret.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/roles.hpp"
#include "unit/test_support/jwt.hpp"
#include "unit/test_support/service_env.hpp"

using keymint::AccessKeyService;
using keymint::CredentialKind;
using keymint::CredentialRecord;
using keymint::ErrorCode;
using keymint::IssuedCredential;
using keymint::Principal;
using keymint::RoleCatalog;
using keymint::ServiceAccount;
using keymint::ServiceAccountChange;
using keymint::ServiceAccountService;
using keymint::TokenService;
using keymint::testing::ServiceEnv;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;

struct AccountFixture : ServiceEnv {
  RoleCatalog catalog;
  ServiceAccountService service{*store, hasher, catalog, clock, /*max_accounts=*/3};
  std::unique_ptr<TokenService> tokens = MakeTokens();

  AccountFixture() { clock.Set(kStart); }

  IssuedCredential MustCreate(std::string_view name, std::vector<std::string> roles = {}) {
    auto created = service.Create("admin@example.com", name, roles);
    INFO((created.ok() ? std::string() : created.error().message));
    REQUIRE(created.ok());
    return {StoredRecord(created->value.id), std::move(created->secret)};
  }

  // The record as the store keeps it (secret hash and all), which the
  // service's answers never show.
  CredentialRecord StoredRecord(const std::string& id) {
    auto stored = store->GetCredential(id);
    REQUIRE(stored.ok());
    REQUIRE(stored->has_value());
    return std::move(**stored);
  }

  ServiceAccount MustGet(const std::string& id) {
    auto found = service.Get(id);
    REQUIRE(found.ok());
    return std::move(found).value();
  }

  bool Mints(const CredentialRecord& account, const std::string& secret) {
    return tokens->ExchangeClientCredentials(account.client_id, secret).ok();
  }
};

}  // namespace

TEST_CASE_METHOD(AccountFixture, "Create stores an organisation-owned account with its roles and a hashed secret",
                 "[service]") {
  IssuedCredential issued = MustCreate("deployer", {"Editor", "Viewer"});
  const CredentialRecord& account = issued.record;
  CHECK(account.kind == CredentialKind::kServiceAccount);
  CHECK(account.name == "deployer");
  CHECK(account.owner_id.empty());
  CHECK(account.created_by == "admin@example.com");
  CHECK(account.created_at_ms == kStart);
  CHECK(account.updated_at_ms == kStart);
  CHECK(account.enabled);
  CHECK(account.roles == std::vector<std::string>{"Editor", "Viewer"});
  CHECK(keymint::crypto::IsWellFormedClientSecret(issued.secret));  // kmsec_, 256 bits, checksum
  CHECK(account.secret_hash != issued.secret);
  CHECK(hasher.Verify(issued.secret, account.secret_hash));

  CredentialRecord stored = StoredRecord(account.id);
  CHECK(stored.client_id == account.client_id);
  CHECK(stored.roles == account.roles);
  CHECK_FALSE(stored.last_login_ms.has_value());
  CHECK(Mints(account, issued.secret));
}

TEST_CASE_METHOD(AccountFixture, "Create refuses bad names, unknown roles and duplicate names", "[service]") {
  for (const char* name : {"", "a", "Deployer", "1deployer", "deployer-", "de ployer"}) {
    INFO(name);
    auto created = service.Create("admin@example.com", name, {});
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == ErrorCode::kInvalidArgument);
  }
  auto unknown_role = service.Create("admin@example.com", "deployer", {"Viewer", "Overlord"});
  REQUIRE_FALSE(unknown_role.ok());
  CHECK(unknown_role.error().code == ErrorCode::kInvalidArgument);
  CHECK(unknown_role.error().message.find("Overlord") != std::string::npos);

  MustCreate("deployer");
  auto duplicate = service.Create("other@example.com", "deployer", {});
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == ErrorCode::kAlreadyExists);
  auto listed = service.List();
  REQUIRE(listed.ok());
  CHECK(listed->size() == 1);
}

TEST_CASE_METHOD(AccountFixture, "Create stops at the organisation's limit", "[service]") {
  MustCreate("one");
  MustCreate("two");
  MustCreate("three");
  auto fourth = service.Create("admin@example.com", "four", {});
  REQUIRE_FALSE(fourth.ok());
  CHECK(fourth.error().code == ErrorCode::kInvalidArgument);
  CHECK(fourth.error().message.find("at most 3") != std::string::npos);
  // Deleting one makes room again.
  auto listed = service.List();
  REQUIRE(listed.ok());
  REQUIRE(service.Delete(listed->front().id).ok());
  MustCreate("four");
}

TEST_CASE_METHOD(AccountFixture, "a service account and an access key may share a name", "[service]") {
  auto ada = AddUser("ada@example.com", {"Viewer"});
  AccessKeyService access_keys{*store, hasher, clock, 20};
  auto key = access_keys.Create(Principal::OfUser(ada), "ci");
  REQUIRE(key.ok());
  IssuedCredential account = MustCreate("ci");
  CHECK(account.record.client_id != key->value.client_id);

  auto listed = service.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().id == account.record.id);
  // An access key's id is not found among service accounts, and the other way round.
  auto as_account = service.Get(key->value.id);
  REQUIRE_FALSE(as_account.ok());
  CHECK(as_account.error().code == ErrorCode::kNotFound);
  CHECK(service.Delete(key->value.id).error().code == ErrorCode::kNotFound);
  auto as_key = access_keys.GetOwn(Principal::OfUser(ada), account.record.id);
  REQUIRE_FALSE(as_key.ok());
  CHECK(as_key.error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(AccountFixture, "List returns accounts in creation order", "[service]") {
  MustCreate("bravo");
  clock.Advance(5);
  MustCreate("alpha");
  clock.Advance(5);
  MustCreate("charlie");
  auto listed = service.List();
  REQUIRE(listed.ok());
  std::vector<std::string> names;
  for (const auto& account : *listed) names.push_back(account.name);
  CHECK(names == std::vector<std::string>{"bravo", "alpha", "charlie"});
}

TEST_CASE_METHOD(AccountFixture, "disabling stops minting until re-enabled and changes nothing else", "[service]") {
  IssuedCredential issued = MustCreate("deployer", {"Editor"});
  clock.Advance(1000);
  auto disabled = service.Update(issued.record.id, ServiceAccountChange{false, std::nullopt});
  REQUIRE(disabled.ok());
  CHECK_FALSE(disabled->enabled);
  CHECK(disabled->updated_at_ms == kStart + 1000);
  CHECK(disabled->roles == std::vector<std::string>{"Editor"});
  CHECK(disabled->client_id == issued.record.client_id);
  CHECK(StoredRecord(issued.record.id).secret_hash == issued.record.secret_hash);
  CHECK(disabled->created_at_ms == kStart);
  CHECK_FALSE(Mints(issued.record, issued.secret));

  auto enabled = service.Update(issued.record.id, ServiceAccountChange{true, std::nullopt});
  REQUIRE(enabled.ok());
  CHECK(enabled->enabled);
  CHECK(Mints(issued.record, issued.secret));
}

TEST_CASE_METHOD(AccountFixture, "Update changes roles, validated, and the next token carries them", "[service]") {
  IssuedCredential issued = MustCreate("deployer", {"Viewer"});
  auto refused = service.Update(issued.record.id, ServiceAccountChange{true, std::vector<std::string>{"Overlord"}});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(MustGet(issued.record.id).roles == std::vector<std::string>{"Viewer"});

  auto updated = service.Update(issued.record.id,
                                ServiceAccountChange{true, std::vector<std::string>{"System administrator", "Editor"}});
  REQUIRE(updated.ok());
  CHECK(MustGet(issued.record.id).roles == std::vector<std::string>{"System administrator", "Editor"});
  auto token = tokens->ExchangeClientCredentials(issued.record.client_id, issued.secret);
  REQUIRE(token.ok());
  auto claims = keymint::testing::JwtClaims(token->jwt);
  CHECK(claims.at("sub").as_string() == issued.record.id);
  CHECK(claims.at("preferred_username").as_string() == "deployer");
  CHECK(claims.at("roles") == boost::json::array{"System administrator", "Editor"});
}

TEST_CASE_METHOD(AccountFixture, "every change moves updated_at forward, even within one millisecond", "[service]") {
  IssuedCredential issued = MustCreate("deployer");
  int64_t previous = issued.record.updated_at_ms;
  for (int i = 0; i < 3; ++i) {
    auto updated = service.Update(issued.record.id, ServiceAccountChange{i % 2 == 1, std::nullopt});  // off, on, off
    REQUIRE(updated.ok());
    CHECK(updated->updated_at_ms > previous);
    previous = updated->updated_at_ms;
  }
  REQUIRE(service.RegenerateSecret(issued.record.id).ok());
  CHECK(MustGet(issued.record.id).updated_at_ms > previous);
  CHECK(MustGet(issued.record.id).created_at_ms == kStart);
}

TEST_CASE_METHOD(AccountFixture, "RegenerateSecret revokes the old secret at once", "[service]") {
  IssuedCredential issued = MustCreate("deployer");
  auto fresh = service.RegenerateSecret(issued.record.id);
  REQUIRE(fresh.ok());
  CHECK(*fresh != issued.secret);
  CHECK_FALSE(Mints(issued.record, issued.secret));
  CHECK(Mints(issued.record, *fresh));
}

TEST_CASE_METHOD(AccountFixture, "Delete removes the account and its credentials stop minting", "[service]") {
  IssuedCredential issued = MustCreate("deployer");
  REQUIRE(service.Delete(issued.record.id).ok());
  CHECK(service.Get(issued.record.id).error().code == ErrorCode::kNotFound);
  CHECK(service.Delete(issued.record.id).error().code == ErrorCode::kNotFound);
  CHECK_FALSE(Mints(issued.record, issued.secret));
  // The name is free again.
  MustCreate("deployer");
}

TEST_CASE_METHOD(AccountFixture, "operations on an unknown id are NotFound", "[service]") {
  const std::string unknown = "3f0c2a9e-8b1d-4c6e-9a7f-0d2e4b6c8a10";
  CHECK(service.Get(unknown).error().code == ErrorCode::kNotFound);
  CHECK(service.Update(unknown, ServiceAccountChange{false, std::nullopt}).error().code == ErrorCode::kNotFound);
  CHECK(service.RegenerateSecret(unknown).error().code == ErrorCode::kNotFound);
  CHECK(service.Delete(unknown).error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(AccountFixture, "a PATCH that changes nothing writes nothing and keeps updated_at", "[service]") {
  IssuedCredential issued = MustCreate("deployer", {"Viewer"});
  clock.Advance(1000);
  auto same = service.Update(issued.record.id, ServiceAccountChange{true, std::vector<std::string>{"Viewer"}});
  REQUIRE(same.ok());
  CHECK(same->updated_at_ms == kStart);
  CHECK(MustGet(issued.record.id).updated_at_ms == kStart);
  CHECK(StoredRecord(issued.record.id).generation == 0);
}

TEST_CASE_METHOD(AccountFixture, "disabling and replacing the secret move the generation on, but enabling does not",
                 "[service]") {
  IssuedCredential issued = MustCreate("deployer");
  CHECK(issued.record.generation == 0);
  // No clock movement at all: the generation does not depend on time.
  REQUIRE(service.Update(issued.record.id, ServiceAccountChange{false, std::nullopt}).ok());
  CHECK(StoredRecord(issued.record.id).generation == 1);
  REQUIRE(service.Update(issued.record.id, ServiceAccountChange{true, std::nullopt}).ok());
  CHECK(StoredRecord(issued.record.id).generation == 1);
  REQUIRE(
      service.Update(issued.record.id, ServiceAccountChange{std::nullopt, std::vector<std::string>{"Viewer"}}).ok());
  CHECK(StoredRecord(issued.record.id).generation == 1);
  REQUIRE(service.RegenerateSecret(issued.record.id).ok());
  CHECK(StoredRecord(issued.record.id).generation == 2);
  auto disabled = service.Update(issued.record.id, ServiceAccountChange{false, std::nullopt});
  REQUIRE(disabled.ok());
  CHECK(StoredRecord(issued.record.id).generation == 3);
  // A disable of a disabled account changes nothing.
  REQUIRE(service.Update(issued.record.id, ServiceAccountChange{false, std::nullopt}).ok());
  CHECK(StoredRecord(issued.record.id).generation == 3);
}
