// Every service write is one store transaction whose body a backend may run
// more than once (keymint/store/store.hpp). Against a store that always runs
// it twice, each write must still do exactly what one run does: the secret
// returned is the one stored, and a generation moves on by one, not two.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keymint/crypto/password_hash.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/service/service_account_service.hpp"
#include "keymint/service/user_service.hpp"
#include "unit/test_support/retrying_store.hpp"
#include "unit/test_support/service_env.hpp"

using keymint::AccessKeyService;
using keymint::CredentialKind;
using keymint::CredentialRecord;
using keymint::Principal;
using keymint::RoleCatalog;
using keymint::ServiceAccountChange;
using keymint::ServiceAccountService;
using keymint::UserRecord;
using keymint::UserService;
using keymint::testing::RetryingStore;
using keymint::testing::ServiceEnv;

namespace {

struct RetryFixture : ServiceEnv {
  RetryingStore retrying{*store};
  RoleCatalog catalog;
  AccessKeyService keys{retrying, hasher, clock, 20};
  ServiceAccountService accounts{retrying, hasher, catalog, clock};
  UserService users{retrying, catalog, clock, limiter};
  std::unique_ptr<keymint::TokenService> tokens = MakeTokens();

  CredentialRecord Stored(const std::string& id) {
    auto found = store->GetCredential(id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return std::move(**found);
  }
  UserRecord StoredUser(const std::string& id) {
    auto found = store->GetUser(id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return std::move(**found);
  }
  bool Mints(const std::string& client_id, const std::string& secret) {
    return tokens->ExchangeClientCredentials(client_id, secret).ok();
  }
};

}  // namespace

TEST_CASE_METHOD(RetryFixture, "access key writes run twice still store one key and return its secret", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto created = keys.Create(Principal::OfUser(ada), "ci");
  REQUIRE(created.ok());
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 1);
  CredentialRecord stored = Stored(created->value.id);
  CHECK(stored.client_id == created->value.client_id);
  CHECK(stored.secret_hash == hasher.Hash(created->secret));
  CHECK(Mints(stored.client_id, created->secret));

  auto secret = keys.RegenerateOwn(Principal::OfUser(ada), stored.id);
  REQUIRE(secret.ok());
  CredentialRecord regenerated = Stored(stored.id);
  CHECK(regenerated.secret_hash == hasher.Hash(*secret));
  CHECK(regenerated.generation == stored.generation + 1);
  CHECK(Mints(stored.client_id, *secret));

  REQUIRE(keys.DeleteOwn(Principal::OfUser(ada), stored.id).ok());
  CHECK_FALSE(store->GetCredential(stored.id).value().has_value());
}

TEST_CASE_METHOD(RetryFixture, "service account writes run twice still do exactly one change", "[service]") {
  auto created = accounts.Create("admin@example.com", "deployer", {"Editor"});
  REQUIRE(created.ok());
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 1);
  CredentialRecord stored = Stored(created->value.id);
  CHECK(stored.client_id == created->value.client_id);
  CHECK(stored.roles == std::vector<std::string>{"Editor"});
  CHECK(Mints(stored.client_id, created->secret));

  ServiceAccountChange disable;
  disable.enabled = false;
  auto disabled = accounts.Update(stored.id, disable);
  REQUIRE(disabled.ok());
  CHECK_FALSE(disabled->enabled);
  CHECK(Stored(stored.id).generation == stored.generation + 1);
  CHECK_FALSE(Stored(stored.id).enabled);

  auto secret = accounts.RegenerateSecret(stored.id);
  REQUIRE(secret.ok());
  CredentialRecord regenerated = Stored(stored.id);
  CHECK(regenerated.secret_hash == hasher.Hash(*secret));
  CHECK(regenerated.generation == stored.generation + 2);
}

TEST_CASE_METHOD(RetryFixture, "user writes run twice still do exactly one change", "[service]") {
  AddUser("admin@example.com", {"System administrator"});
  UserRecord ada = AddUser("ada@example.com", {"System administrator"});

  auto demoted = users.SetRoles(ada.id, {"Viewer"});
  REQUIRE(demoted.ok());
  CHECK(demoted->roles == std::vector<std::string>{"Viewer"});
  CHECK(StoredUser(ada.id).generation == ada.generation + 1);
  CHECK(StoredUser(ada.id).roles == std::vector<std::string>{"Viewer"});

  auto temp = users.ResetPassword(ada.id);
  REQUIRE(temp.ok());
  UserRecord reset = StoredUser(ada.id);
  CHECK(reset.generation == ada.generation + 2);
  CHECK(keymint::crypto::VerifyPassword(*temp, reset.password_hash));

  // The last administrator is still kept when every check runs twice.
  auto admin = store->FindUserByEmail("admin@example.com").value();
  REQUIRE(admin.has_value());
  CHECK(users.Delete(admin->id).error().code == keymint::ErrorCode::kInvalidArgument);
  REQUIRE(users.Delete(ada.id).ok());
  CHECK(store->ListUsers().value().size() == 1);
}
