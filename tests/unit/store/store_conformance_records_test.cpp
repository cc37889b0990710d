// Store conformance: records, their indexes and last logins, as every backend
// must keep them (keymint/store/store.hpp). Transactions have a file of their
// own (store_conformance_transaction_test.cpp).
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "keymint/store/store.hpp"
#include "unit/store/store_conformance.hpp"

namespace keymint::testing {

TEMPLATE_TEST_CASE("a created user is found by id and by email", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);

  auto by_id = store->GetUser(ada.id);
  REQUIRE(by_id.ok());
  REQUIRE(by_id->has_value());
  CHECK((*by_id)->email == "ada@example.com");
  CHECK((*by_id)->password_hash == ada.password_hash);
  CHECK((*by_id)->roles == ada.roles);
  CHECK((*by_id)->created_by == "keymint");
  CHECK((*by_id)->created_at_ms == 1000);
  CHECK_FALSE((*by_id)->last_login_ms.has_value());

  auto by_email = store->FindUserByEmail("ada@example.com");
  REQUIRE(by_email.ok());
  REQUIRE(by_email->has_value());
  CHECK((*by_email)->id == ada.id);
}

TEMPLATE_TEST_CASE("an unknown user id or email is nullopt, not an error", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  auto by_id = store->GetUser(Uuid(99));
  REQUIRE(by_id.ok());
  CHECK_FALSE(by_id->has_value());
  auto by_email = store->FindUserByEmail("nobody@example.com");
  REQUIRE(by_email.ok());
  CHECK_FALSE(by_email->has_value());
}

TEMPLATE_TEST_CASE("users are listed in creation order, not insertion or id order", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Create(*store, MakeUser(1, "c@example.com", 3000));
  Create(*store, MakeUser(2, "a@example.com", 1000));
  Create(*store, MakeUser(3, "b@example.com", 2000));
  Create(*store, MakeUser(0, "d@example.com", 3000));  // same time as user 1: id decides

  auto users = store->ListUsers();
  REQUIRE(users.ok());
  CHECK(Ids(*users) == std::vector<std::string>{Uuid(2), Uuid(3), Uuid(0), Uuid(1)});
}

TEMPLATE_TEST_CASE("an empty store lists no users and no credentials", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  auto users = store->ListUsers();
  REQUIRE(users.ok());
  CHECK(users->empty());
  CHECK(List(*store, KindQuery(CredentialKind::kAccessKey)).empty());
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)).empty());
}

TEMPLATE_TEST_CASE("UpdateUser rewrites the record and keeps the email index", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  ada.roles = {"System administrator", "Editor"};
  ada.password_hash = "pbkdf2-sha256$1000$bmV3$bmV3";
  ada.updated_at_ms = 5000;
  Update(*store, ada);

  auto found = store->FindUserByEmail("ada@example.com");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->roles == ada.roles);
  CHECK((*found)->password_hash == ada.password_hash);
  CHECK((*found)->updated_at_ms == 5000);
  CHECK((*found)->created_at_ms == 1000);
  auto users = store->ListUsers();
  REQUIRE(users.ok());
  CHECK(users->size() == 1);
}

TEMPLATE_TEST_CASE("a created credential is found by id, by client ID and by name in its scope", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "deployer", 2500);
  Create(*store, key);
  Create(*store, account);

  auto by_id = store->GetCredential(key.id);
  REQUIRE(by_id.ok());
  REQUIRE(by_id->has_value());
  CHECK((*by_id)->kind == CredentialKind::kAccessKey);
  CHECK((*by_id)->name == "ci");
  CHECK((*by_id)->client_id == key.client_id);
  CHECK((*by_id)->secret_hash == key.secret_hash);
  CHECK((*by_id)->owner_id == ada.id);
  CHECK((*by_id)->created_by == "ada@example.com");
  CHECK((*by_id)->enabled);
  CHECK_FALSE((*by_id)->last_login_ms.has_value());

  auto by_client = store->FindCredentialByClientId(key.client_id);
  REQUIRE(by_client.ok());
  REQUIRE(by_client->has_value());
  CHECK((*by_client)->id == key.id);

  auto by_name = store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci");
  REQUIRE(by_name.ok());
  REQUIRE(by_name->has_value());
  CHECK((*by_name)->id == key.id);

  // A service account's scope is the organisation: "".
  auto account_by_name = store->FindCredentialByName(CredentialKind::kServiceAccount, "", "deployer");
  REQUIRE(account_by_name.ok());
  REQUIRE(account_by_name->has_value());
  CHECK((*account_by_name)->id == account.id);
  CHECK((*account_by_name)->roles == std::vector<std::string>{"Editor"});
  auto account_by_client = store->FindCredentialByClientId(account.client_id);
  REQUIRE(account_by_client.ok());
  REQUIRE(account_by_client->has_value());
  CHECK((*account_by_client)->kind == CredentialKind::kServiceAccount);
}

TEMPLATE_TEST_CASE("a name is looked up only in its own scope and kind", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  Create(*store, MakeKey(10, ada, "ci", 2000));
  Create(*store, MakeServiceAccount(20, "deployer", 2000));

  auto check_absent = [&](CredentialKind kind, const std::string& scope, const char* name) {
    auto found = store->FindCredentialByName(kind, scope, name);
    REQUIRE(found.ok());
    CHECK_FALSE(found->has_value());
  };
  check_absent(CredentialKind::kAccessKey, bob.id, "ci");       // another owner
  check_absent(CredentialKind::kServiceAccount, "", "ci");      // another kind
  check_absent(CredentialKind::kAccessKey, "", "deployer");     // the organisation's name, wrong kind
  check_absent(CredentialKind::kAccessKey, ada.id, "unknown");  // no such name

  auto by_client = store->FindCredentialByClientId("no-such-client");
  REQUIRE(by_client.ok());
  CHECK_FALSE(by_client->has_value());
  auto by_id = store->GetCredential(Uuid(99));
  REQUIRE(by_id.ok());
  CHECK_FALSE(by_id->has_value());
}

TEMPLATE_TEST_CASE("the same name coexists in two owners' scopes and the organisation's", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  Create(*store, MakeKey(10, ada, "ci", 2000));
  Create(*store, MakeKey(11, bob, "ci", 2001));
  Create(*store, MakeServiceAccount(20, "ci", 2002));

  auto ada_ci = store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci");
  auto bob_ci = store->FindCredentialByName(CredentialKind::kAccessKey, bob.id, "ci");
  auto org_ci = store->FindCredentialByName(CredentialKind::kServiceAccount, "", "ci");
  REQUIRE(ada_ci.ok());
  REQUIRE(bob_ci.ok());
  REQUIRE(org_ci.ok());
  REQUIRE(ada_ci->has_value());
  REQUIRE(bob_ci->has_value());
  REQUIRE(org_ci->has_value());
  CHECK((*ada_ci)->id == Uuid(10));
  CHECK((*bob_ci)->id == Uuid(11));
  CHECK((*org_ci)->id == Uuid(20));
}

TEMPLATE_TEST_CASE("ListCredentials by owner returns only that owner's keys in creation order", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  Create(*store, MakeKey(10, ada, "third", 3000));
  Create(*store, MakeKey(11, ada, "first", 1000));
  Create(*store, MakeKey(12, bob, "bobs", 1500));
  Create(*store, MakeKey(13, ada, "second", 2000));
  Create(*store, MakeServiceAccount(20, "org", 500));

  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{Uuid(11), Uuid(13), Uuid(10)});
  CHECK(List(*store, OwnerQuery(bob)) == std::vector<std::string>{Uuid(12)});
  CredentialQuery nobody;
  nobody.owner_id = Uuid(99);
  CHECK(List(*store, nobody).empty());
}

TEMPLATE_TEST_CASE("ListCredentials by kind returns every credential of that kind in creation order", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  Create(*store, MakeKey(10, ada, "k1", 3000));
  Create(*store, MakeKey(11, bob, "k2", 1000));
  Create(*store, MakeServiceAccount(20, "s1", 2000));
  Create(*store, MakeServiceAccount(21, "s0", 500));

  CHECK(List(*store, KindQuery(CredentialKind::kAccessKey)) == std::vector<std::string>{Uuid(11), Uuid(10)});
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)) == std::vector<std::string>{Uuid(21), Uuid(20)});
}

TEMPLATE_TEST_CASE("ListCredentials with a client ID returns that credential only when it matches", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  CredentialRecord ada_key = MakeKey(10, ada, "k1", 1000);
  Create(*store, ada_key);
  Create(*store, MakeKey(11, ada, "k2", 2000));
  CredentialRecord account = MakeServiceAccount(20, "s1", 2000);
  Create(*store, account);

  CredentialQuery query;
  query.client_id = ada_key.client_id;
  CHECK(List(*store, query) == std::vector<std::string>{ada_key.id});

  query.owner_id = ada.id;
  CHECK(List(*store, query) == std::vector<std::string>{ada_key.id});
  query.owner_id = bob.id;  // the client ID is someone else's
  CHECK(List(*store, query).empty());

  CredentialQuery wrong_kind;
  wrong_kind.client_id = account.client_id;  // a service account, but kind is access key
  CHECK(List(*store, wrong_kind).empty());
  wrong_kind.kind = CredentialKind::kServiceAccount;
  CHECK(List(*store, wrong_kind) == std::vector<std::string>{account.id});

  CredentialQuery unknown;
  unknown.client_id = "no-such-client";
  CHECK(List(*store, unknown).empty());

  CredentialQuery skipped;
  skipped.client_id = ada_key.client_id;
  skipped.offset = 1;
  CHECK(List(*store, skipped).empty());
  skipped.offset = 0;
  skipped.limit = 0;
  CHECK(List(*store, skipped).empty());
}

TEMPLATE_TEST_CASE("ListCredentials pages with offset and limit", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  for (int i = 0; i < 5; ++i) Create(*store, MakeKey(10 + i, ada, "ada-" + std::to_string(i), 1000 + 10 * i));
  for (int i = 0; i < 3; ++i) Create(*store, MakeKey(20 + i, bob, "bob-" + std::to_string(i), 1005 + 10 * i));
  Create(*store, MakeServiceAccount(30, "org", 1001));

  CredentialQuery page = OwnerQuery(ada);
  page.offset = 1;
  page.limit = 2;
  CHECK(List(*store, page) == std::vector<std::string>{Uuid(11), Uuid(12)});
  page.offset = 4;
  CHECK(List(*store, page) == std::vector<std::string>{Uuid(14)});
  page.offset = 5;
  CHECK(List(*store, page).empty());
  page.offset = 0;
  page.limit = 0;
  CHECK(List(*store, page).empty());

  // All access keys interleave by time: ada-0 bob-0 ada-1 bob-1 ada-2 bob-2 ada-3 ada-4.
  CredentialQuery all = KindQuery(CredentialKind::kAccessKey);
  all.offset = 2;
  all.limit = 3;
  CHECK(List(*store, all) == std::vector<std::string>{Uuid(11), Uuid(21), Uuid(12)});
  all.offset = 6;
  all.limit = 100;
  CHECK(List(*store, all) == std::vector<std::string>{Uuid(13), Uuid(14)});
}

TEMPLATE_TEST_CASE("CountCredentialsOfOwner counts only that owner's keys", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 0);
  Create(*store, MakeKey(10, ada, "k1", 1000));
  Create(*store, MakeKey(11, ada, "k2", 1000));
  Create(*store, MakeKey(12, bob, "k1", 1000));
  Create(*store, MakeServiceAccount(20, "org", 1000));
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 2);
  CHECK(store->CountCredentialsOfOwner(bob.id).value() == 1);
  CHECK(store->CountCredentialsOfOwner(Uuid(99)).value() == 0);
}

TEMPLATE_TEST_CASE("CountCredentialsOfKind counts each kind apart and follows deletes", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 0);
  Create(*store, MakeKey(10, ada, "k1", 1000));
  Create(*store, MakeKey(11, ada, "k2", 1000));
  CredentialRecord org = MakeServiceAccount(20, "org", 1000);
  Create(*store, org);
  Create(*store, MakeServiceAccount(21, "deployer", 1001));
  CHECK(store->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 2);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 2);
  Delete(*store, org);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 1);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 2);
}

TEMPLATE_TEST_CASE("UpdateCredential replaces the secret hash and the enabled flag", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  CredentialRecord key = MakeKey(10, ada, "ci", 1000);
  Create(*store, key);

  key.secret_hash = BinaryHash('\x42');
  key.enabled = false;
  key.updated_at_ms = 9000;
  Update(*store, key);

  for (auto found : {store->GetCredential(key.id), store->FindCredentialByClientId(key.client_id),
                     store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci")}) {
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->secret_hash == BinaryHash('\x42'));
    CHECK_FALSE((*found)->enabled);
    CHECK((*found)->updated_at_ms == 9000);
    CHECK((*found)->created_at_ms == 1000);
  }
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{key.id});
}

TEMPLATE_TEST_CASE("DeleteCredential removes the record and every index", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  CredentialRecord doomed = MakeKey(10, ada, "ci", 1000);
  CredentialRecord kept = MakeKey(11, ada, "other", 2000);
  Create(*store, doomed);
  Create(*store, kept);
  REQUIRE(store->RecordLastLogins({{doomed.id, 4242}}).ok());

  Delete(*store, doomed);

  auto by_id = store->GetCredential(doomed.id);
  REQUIRE(by_id.ok());
  CHECK_FALSE(by_id->has_value());
  auto by_client = store->FindCredentialByClientId(doomed.client_id);
  REQUIRE(by_client.ok());
  CHECK_FALSE(by_client->has_value());
  auto by_name = store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci");
  REQUIRE(by_name.ok());
  CHECK_FALSE(by_name->has_value());
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{kept.id});
  CHECK(List(*store, KindQuery(CredentialKind::kAccessKey)) == std::vector<std::string>{kept.id});
  CredentialQuery by_client_query;
  by_client_query.client_id = doomed.client_id;
  CHECK(List(*store, by_client_query).empty());
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 1);

  // Nothing dangles: the same id, name and client ID can be used again, with no stale last login.
  Create(*store, doomed);
  auto again = store->GetCredential(doomed.id);
  REQUIRE(again.ok());
  REQUIRE(again->has_value());
  CHECK_FALSE((*again)->last_login_ms.has_value());
}

TEMPLATE_TEST_CASE("DeleteCredential of a service account removes its indexes", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  CredentialRecord account = MakeServiceAccount(20, "deployer", 1000);
  Create(*store, account);
  Delete(*store, account);
  auto by_name = store->FindCredentialByName(CredentialKind::kServiceAccount, "", "deployer");
  REQUIRE(by_name.ok());
  CHECK_FALSE(by_name->has_value());
  auto by_client = store->FindCredentialByClientId(account.client_id);
  REQUIRE(by_client.ok());
  CHECK_FALSE(by_client->has_value());
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)).empty());
}

TEMPLATE_TEST_CASE("DeleteUser removes the user, its email index and every credential it owns", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1100);
  Create(*store, ada);
  Create(*store, bob);
  CredentialRecord ada1 = MakeKey(10, ada, "k1", 2000);
  CredentialRecord ada2 = MakeKey(11, ada, "k2", 2001);
  CredentialRecord bob1 = MakeKey(12, bob, "k1", 2002);
  CredentialRecord account = MakeServiceAccount(20, "org", 2003);
  for (const auto& c : {ada1, ada2, bob1, account}) Create(*store, c);
  REQUIRE(store->RecordLastLogins({{ada.id, 5000}, {ada1.id, 5000}}).ok());

  Delete(*store, ada);

  auto by_id = store->GetUser(ada.id);
  REQUIRE(by_id.ok());
  CHECK_FALSE(by_id->has_value());
  auto by_email = store->FindUserByEmail("ada@example.com");
  REQUIRE(by_email.ok());
  CHECK_FALSE(by_email->has_value());
  auto users = store->ListUsers();
  REQUIRE(users.ok());
  CHECK(Ids(*users) == std::vector<std::string>{bob.id});

  for (const auto& c : {ada1, ada2}) {
    auto gone = store->GetCredential(c.id);
    REQUIRE(gone.ok());
    CHECK_FALSE(gone->has_value());
    auto gone_by_client = store->FindCredentialByClientId(c.client_id);
    REQUIRE(gone_by_client.ok());
    CHECK_FALSE(gone_by_client->has_value());
    auto gone_by_name = store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, c.name);
    REQUIRE(gone_by_name.ok());
    CHECK_FALSE(gone_by_name->has_value());
  }
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 0);
  CHECK(List(*store, KindQuery(CredentialKind::kAccessKey)) == std::vector<std::string>{bob1.id});
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)) == std::vector<std::string>{account.id});

  // The email is free again, and the new user does not inherit the old last login.
  UserRecord again = MakeUser(3, "ada@example.com", 9000);
  Create(*store, again);
  auto found = store->FindUserByEmail("ada@example.com");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == again.id);
  CHECK_FALSE((*found)->last_login_ms.has_value());
}

TEMPLATE_TEST_CASE("recorded last logins show on every read of users and credentials", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "org", 2000);
  Create(*store, key);
  Create(*store, account);

  REQUIRE(store
              ->RecordLastLogins(
                  {{ada.id, 1'700'000'000'001}, {key.id, 1'700'000'000'002}, {account.id, 1'700'000'000'003}})
              .ok());

  CHECK(store->GetUser(ada.id).value()->last_login_ms == 1'700'000'000'001);
  CHECK(store->FindUserByEmail("ada@example.com").value()->last_login_ms == 1'700'000'000'001);
  CHECK_FALSE(store->GetUser(bob.id).value()->last_login_ms.has_value());
  auto users = store->ListUsers();
  REQUIRE(users.ok());
  REQUIRE(users->size() == 2);
  for (const auto& user : *users) {
    CHECK(user.last_login_ms == (user.id == ada.id ? std::optional<int64_t>(1'700'000'000'001) : std::nullopt));
  }

  CHECK(store->GetCredential(key.id).value()->last_login_ms == 1'700'000'000'002);
  CHECK(store->FindCredentialByClientId(key.client_id).value()->last_login_ms == 1'700'000'000'002);
  CHECK(store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci").value()->last_login_ms ==
        1'700'000'000'002);
  auto owned = store->ListCredentials(OwnerQuery(ada));
  REQUIRE(owned.ok());
  REQUIRE(owned->size() == 1);
  CHECK(owned->front().last_login_ms == 1'700'000'000'002);
  CHECK(store->GetCredential(account.id).value()->last_login_ms == 1'700'000'000'003);

  // A later record replaces the time.
  REQUIRE(store->RecordLastLogins({{key.id, 1'700'000'100'000}}).ok());
  CHECK(store->GetCredential(key.id).value()->last_login_ms == 1'700'000'100'000);
}

TEMPLATE_TEST_CASE("reads asked to skip the last login leave it unset", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, key);
  REQUIRE(store->RecordLastLogins({{ada.id, 1111}, {key.id, 2222}}).ok());

  auto user = store->GetUser(ada.id, LastLoginField::kSkip);
  REQUIRE(user.ok());
  REQUIRE(user->has_value());
  CHECK((*user)->email == "ada@example.com");
  CHECK_FALSE((*user)->last_login_ms.has_value());
  CHECK(store->GetUser(ada.id, LastLoginField::kRead).value()->last_login_ms == 1111);

  auto credential = store->FindCredentialByClientId(key.client_id, LastLoginField::kSkip);
  REQUIRE(credential.ok());
  REQUIRE(credential->has_value());
  CHECK((*credential)->secret_hash == key.secret_hash);
  CHECK_FALSE((*credential)->last_login_ms.has_value());
  CHECK(store->FindCredentialByClientId(key.client_id, LastLoginField::kRead).value()->last_login_ms == 2222);

  auto missing = store->FindCredentialByClientId("no-such-client", LastLoginField::kSkip);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEMPLATE_TEST_CASE("reads in a transaction find what reads outside it find", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000, {"System administrator", "Viewer"});
  UserRecord bob = MakeUser(2, "bob@example.com", 1100, {"Viewer"});
  Create(*store, ada);
  Create(*store, bob);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "deployer", 2001);
  Create(*store, key);
  Create(*store, account);
  REQUIRE(store->RecordLastLogins({{ada.id, 1111}, {key.id, 2222}}).ok());

  // What the body read, checked once the transaction is over.
  struct Reads {
    std::optional<UserRecord> user, user_skipping_login, unknown_user, by_email, unknown_email;
    std::size_t users = 0, admins = 0, viewers = 0, editors = 0;
    std::optional<CredentialRecord> credential, unknown_credential, by_client, by_client_skipping_login, unknown_client,
        key_by_name, account_by_name, other_scope;
    std::size_t ada_keys = 0, bob_keys = 0, access_keys = 0, service_accounts = 0;
  } r;
  Commit(*store, [&](StoreTransaction& tx) -> Status {
    ASSIGN_OR_RETURN(r.user, tx.GetUser(ada.id));
    ASSIGN_OR_RETURN(r.user_skipping_login, tx.GetUser(ada.id, LastLoginField::kSkip));
    ASSIGN_OR_RETURN(r.unknown_user, tx.GetUser(Uuid(99)));
    ASSIGN_OR_RETURN(r.by_email, tx.FindUserByEmail("bob@example.com"));
    ASSIGN_OR_RETURN(r.unknown_email, tx.FindUserByEmail("nobody@example.com"));
    ASSIGN_OR_RETURN(r.users, tx.CountUsers());
    ASSIGN_OR_RETURN(r.admins, tx.CountUsersWithRole("System administrator"));
    ASSIGN_OR_RETURN(r.viewers, tx.CountUsersWithRole("Viewer"));
    ASSIGN_OR_RETURN(r.editors, tx.CountUsersWithRole("Editor"));
    ASSIGN_OR_RETURN(r.credential, tx.GetCredential(key.id));
    ASSIGN_OR_RETURN(r.unknown_credential, tx.GetCredential(Uuid(99)));
    ASSIGN_OR_RETURN(r.by_client, tx.FindCredentialByClientId(key.client_id));
    ASSIGN_OR_RETURN(r.by_client_skipping_login, tx.FindCredentialByClientId(key.client_id, LastLoginField::kSkip));
    ASSIGN_OR_RETURN(r.unknown_client, tx.FindCredentialByClientId("no-such-client"));
    ASSIGN_OR_RETURN(r.key_by_name, tx.FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci"));
    ASSIGN_OR_RETURN(r.account_by_name, tx.FindCredentialByName(CredentialKind::kServiceAccount, "", "deployer"));
    ASSIGN_OR_RETURN(r.other_scope, tx.FindCredentialByName(CredentialKind::kAccessKey, bob.id, "ci"));
    ASSIGN_OR_RETURN(r.ada_keys, tx.CountCredentialsOfOwner(ada.id));
    ASSIGN_OR_RETURN(r.bob_keys, tx.CountCredentialsOfOwner(bob.id));
    ASSIGN_OR_RETURN(r.access_keys, tx.CountCredentialsOfKind(CredentialKind::kAccessKey));
    ASSIGN_OR_RETURN(r.service_accounts, tx.CountCredentialsOfKind(CredentialKind::kServiceAccount));
    return Status::Ok();
  });

  REQUIRE(r.user.has_value());
  CHECK(r.user->email == "ada@example.com");
  CHECK(r.user->roles == ada.roles);
  CHECK(r.user->last_login_ms == 1111);
  REQUIRE(r.user_skipping_login.has_value());
  CHECK_FALSE(r.user_skipping_login->last_login_ms.has_value());
  CHECK_FALSE(r.unknown_user.has_value());
  REQUIRE(r.by_email.has_value());
  CHECK(r.by_email->id == bob.id);
  CHECK_FALSE(r.unknown_email.has_value());
  CHECK(r.users == 2);
  CHECK(r.admins == 1);
  CHECK(r.viewers == 2);
  CHECK(r.editors == 0);

  REQUIRE(r.credential.has_value());
  CHECK(r.credential->secret_hash == key.secret_hash);
  CHECK(r.credential->last_login_ms == 2222);
  CHECK_FALSE(r.unknown_credential.has_value());
  REQUIRE(r.by_client.has_value());
  CHECK(r.by_client->id == key.id);
  CHECK(r.by_client->last_login_ms == 2222);
  REQUIRE(r.by_client_skipping_login.has_value());
  CHECK_FALSE(r.by_client_skipping_login->last_login_ms.has_value());
  CHECK_FALSE(r.unknown_client.has_value());
  REQUIRE(r.key_by_name.has_value());
  CHECK(r.key_by_name->id == key.id);
  REQUIRE(r.account_by_name.has_value());
  CHECK(r.account_by_name->id == account.id);
  CHECK(r.account_by_name->roles == std::vector<std::string>{"Editor"});
  CHECK_FALSE(r.other_scope.has_value());
  CHECK(r.ada_keys == 1);
  CHECK(r.bob_keys == 0);
  CHECK(r.access_keys == 1);
  CHECK(r.service_accounts == 1);
}

TEMPLATE_TEST_CASE("committed writes and last logins survive closing and reopening the store", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord gone = MakeUser(2, "gone@example.com", 1001);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "org", 3000);
  Create(*store, ada);
  Create(*store, gone);
  Create(*store, key);
  Create(*store, account);
  ada.roles = {"Editor"};
  Update(*store, ada);
  Delete(*store, gone);
  REQUIRE(store->RecordLastLogins({{key.id, 7777}, {ada.id, 8888}}).ok());  // unsynced: closing syncs them

  store.Reopen();

  auto user = store->FindUserByEmail("ada@example.com");
  REQUIRE(user.ok());
  REQUIRE(user->has_value());
  CHECK((*user)->id == ada.id);
  CHECK((*user)->roles == std::vector<std::string>{"Editor"});
  CHECK((*user)->last_login_ms == 8888);
  CHECK_FALSE(store->FindUserByEmail("gone@example.com").value().has_value());
  CHECK(Ids(store->ListUsers().value()) == std::vector<std::string>{ada.id});
  auto found = store->FindCredentialByClientId(key.client_id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->secret_hash == key.secret_hash);
  CHECK((*found)->last_login_ms == 7777);
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{key.id});
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)) == std::vector<std::string>{account.id});
  auto by_name = store->FindCredentialByName(CredentialKind::kServiceAccount, "", "org");
  REQUIRE(by_name.ok());
  CHECK(by_name->has_value());
}

}  // namespace keymint::testing
