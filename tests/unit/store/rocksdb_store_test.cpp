// The RocksDB store against a real database in a scratch directory.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "keymint/store/store.hpp"
#include "unit/test_support/temp_dir.hpp"

using keymint::CredentialKind;
using keymint::CredentialQuery;
using keymint::CredentialRecord;
using keymint::ErrorCode;
using keymint::LastLogin;
using keymint::Store;
using keymint::UserRecord;
using keymint::test::TempDir;

namespace {

// A UUID-shaped id, distinct per n.
std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

std::unique_ptr<Store> Open(const std::string& dir) {
  auto opened = keymint::OpenRocksDbStore(dir);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

UserRecord MakeUser(int n, std::string email, int64_t created_ms) {
  UserRecord user;
  user.id = Uuid(n);
  user.email = std::move(email);
  user.password_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaC0" + std::to_string(n);
  user.roles = {"Viewer"};
  user.created_by = "keymint";
  user.created_at_ms = user.updated_at_ms = created_ms;
  return user;
}

// A 32-byte hash with bytes that are not text.
std::string BinaryHash(char seed) {
  std::string hash(32, seed);
  hash[0] = '\0';
  hash[31] = '\xff';
  return hash;
}

CredentialRecord MakeKey(int n, const UserRecord& owner, std::string name, int64_t created_ms) {
  CredentialRecord c;
  c.id = Uuid(n);
  c.kind = CredentialKind::kAccessKey;
  c.name = std::move(name);
  c.client_id = "client-" + std::to_string(n);
  c.secret_hash = BinaryHash(static_cast<char>('a' + n % 26));
  c.owner_id = owner.id;
  c.created_by = owner.email;
  c.created_at_ms = c.updated_at_ms = created_ms;
  return c;
}

CredentialRecord MakeServiceAccount(int n, std::string name, int64_t created_ms) {
  CredentialRecord c;
  c.id = Uuid(n);
  c.kind = CredentialKind::kServiceAccount;
  c.name = std::move(name);
  c.client_id = "client-" + std::to_string(n);
  c.secret_hash = BinaryHash(static_cast<char>('A' + n % 26));
  c.owner_id = "";
  c.created_by = "admin@example.com";
  c.created_at_ms = c.updated_at_ms = created_ms;
  c.roles = {"Editor"};
  return c;
}

template <typename Record>
std::vector<std::string> Ids(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

std::vector<std::string> List(const Store& store, const CredentialQuery& query) {
  auto listed = store.ListCredentials(query);
  REQUIRE(listed.ok());
  return Ids(*listed);
}

CredentialQuery OwnerQuery(const UserRecord& owner) {
  CredentialQuery query;
  query.owner_id = owner.id;
  return query;
}

CredentialQuery KindQuery(CredentialKind kind) {
  CredentialQuery query;
  query.kind = kind;
  return query;
}

struct StoreFixture {
  TempDir dir{"store"};
  std::unique_ptr<Store> store = Open(dir.Sub("db"));

  void Create(const UserRecord& user) { REQUIRE(store->CreateUser(user).ok()); }
  void Create(const CredentialRecord& credential) { REQUIRE(store->CreateCredential(credential).ok()); }
};

}  // namespace

TEST_CASE_METHOD(StoreFixture, "a created user is found by id and by email", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);

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

TEST_CASE_METHOD(StoreFixture, "an unknown user id or email is nullopt, not an error", "[store]") {
  auto by_id = store->GetUser(Uuid(99));
  REQUIRE(by_id.ok());
  CHECK_FALSE(by_id->has_value());
  auto by_email = store->FindUserByEmail("nobody@example.com");
  REQUIRE(by_email.ok());
  CHECK_FALSE(by_email->has_value());
}

TEST_CASE_METHOD(StoreFixture, "users are listed in creation order, not insertion or id order", "[store]") {
  Create(MakeUser(1, "c@example.com", 3000));
  Create(MakeUser(2, "a@example.com", 1000));
  Create(MakeUser(3, "b@example.com", 2000));
  Create(MakeUser(0, "d@example.com", 3000));  // same time as user 1: id decides

  auto users = store->ListUsers();
  REQUIRE(users.ok());
  CHECK(Ids(*users) == std::vector<std::string>{Uuid(2), Uuid(3), Uuid(0), Uuid(1)});
}

TEST_CASE_METHOD(StoreFixture, "an empty store lists no users and no credentials", "[store]") {
  auto users = store->ListUsers();
  REQUIRE(users.ok());
  CHECK(users->empty());
  CHECK(List(*store, KindQuery(CredentialKind::kAccessKey)).empty());
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)).empty());
}

TEST_CASE_METHOD(StoreFixture, "UpdateUser rewrites the record and keeps the email index", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);
  ada.roles = {"System administrator", "Editor"};
  ada.password_hash = "pbkdf2-sha256$1000$bmV3$bmV3";
  ada.updated_at_ms = 5000;
  REQUIRE(store->UpdateUser(ada).ok());

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

TEST_CASE_METHOD(StoreFixture, "a created credential is found by id, by client ID and by name in its scope",
                 "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "deployer", 2500);
  Create(key);
  Create(account);

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

TEST_CASE_METHOD(StoreFixture, "a name is looked up only in its own scope and kind", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  Create(MakeKey(10, ada, "ci", 2000));
  Create(MakeServiceAccount(20, "deployer", 2000));

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

TEST_CASE_METHOD(StoreFixture, "the same name coexists in two owners' scopes and the organisation's", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  Create(MakeKey(10, ada, "ci", 2000));
  Create(MakeKey(11, bob, "ci", 2001));
  Create(MakeServiceAccount(20, "ci", 2002));

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

TEST_CASE_METHOD(StoreFixture, "ListCredentials by owner returns only that owner's keys in creation order", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  Create(MakeKey(10, ada, "third", 3000));
  Create(MakeKey(11, ada, "first", 1000));
  Create(MakeKey(12, bob, "bobs", 1500));
  Create(MakeKey(13, ada, "second", 2000));
  Create(MakeServiceAccount(20, "org", 500));

  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{Uuid(11), Uuid(13), Uuid(10)});
  CHECK(List(*store, OwnerQuery(bob)) == std::vector<std::string>{Uuid(12)});
  CredentialQuery nobody;
  nobody.owner_id = Uuid(99);
  CHECK(List(*store, nobody).empty());
}

TEST_CASE_METHOD(StoreFixture, "ListCredentials by kind returns every credential of that kind in creation order",
                 "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  Create(MakeKey(10, ada, "k1", 3000));
  Create(MakeKey(11, bob, "k2", 1000));
  Create(MakeServiceAccount(20, "s1", 2000));
  Create(MakeServiceAccount(21, "s0", 500));

  CHECK(List(*store, KindQuery(CredentialKind::kAccessKey)) == std::vector<std::string>{Uuid(11), Uuid(10)});
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)) == std::vector<std::string>{Uuid(21), Uuid(20)});
}

TEST_CASE_METHOD(StoreFixture, "ListCredentials with a client ID returns that credential only when it matches",
                 "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  CredentialRecord ada_key = MakeKey(10, ada, "k1", 1000);
  Create(ada_key);
  Create(MakeKey(11, ada, "k2", 2000));
  CredentialRecord account = MakeServiceAccount(20, "s1", 2000);
  Create(account);

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

TEST_CASE_METHOD(StoreFixture, "ListCredentials pages with offset and limit", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  for (int i = 0; i < 5; ++i) Create(MakeKey(10 + i, ada, "ada-" + std::to_string(i), 1000 + 10 * i));
  for (int i = 0; i < 3; ++i) Create(MakeKey(20 + i, bob, "bob-" + std::to_string(i), 1005 + 10 * i));
  Create(MakeServiceAccount(30, "org", 1001));

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

TEST_CASE_METHOD(StoreFixture, "CountCredentialsOfOwner counts only that owner's keys", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 0);
  Create(MakeKey(10, ada, "k1", 1000));
  Create(MakeKey(11, ada, "k2", 1000));
  Create(MakeKey(12, bob, "k1", 1000));
  Create(MakeServiceAccount(20, "org", 1000));
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 2);
  CHECK(store->CountCredentialsOfOwner(bob.id).value() == 1);
  CHECK(store->CountCredentialsOfOwner(Uuid(99)).value() == 0);
}

TEST_CASE_METHOD(StoreFixture, "CountCredentialsOfKind counts each kind apart and follows deletes", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 0);
  Create(MakeKey(10, ada, "k1", 1000));
  Create(MakeKey(11, ada, "k2", 1000));
  CredentialRecord org = MakeServiceAccount(20, "org", 1000);
  Create(org);
  Create(MakeServiceAccount(21, "deployer", 1001));
  CHECK(store->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 2);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 2);
  REQUIRE(store->DeleteCredential(org).ok());
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 1);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 2);
}

TEST_CASE_METHOD(StoreFixture, "UpdateCredential replaces the secret hash and the enabled flag", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);
  CredentialRecord key = MakeKey(10, ada, "ci", 1000);
  Create(key);

  key.secret_hash = BinaryHash('\x42');
  key.enabled = false;
  key.updated_at_ms = 9000;
  REQUIRE(store->UpdateCredential(key).ok());

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

TEST_CASE_METHOD(StoreFixture, "DeleteCredential removes the record and every index", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);
  CredentialRecord doomed = MakeKey(10, ada, "ci", 1000);
  CredentialRecord kept = MakeKey(11, ada, "other", 2000);
  Create(doomed);
  Create(kept);
  REQUIRE(store->RecordLastLogins({{doomed.id, 4242}}).ok());

  REQUIRE(store->DeleteCredential(doomed).ok());

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
  Create(doomed);
  auto again = store->GetCredential(doomed.id);
  REQUIRE(again.ok());
  REQUIRE(again->has_value());
  CHECK_FALSE((*again)->last_login_ms.has_value());
}

TEST_CASE_METHOD(StoreFixture, "DeleteCredential of a service account removes its indexes", "[store]") {
  CredentialRecord account = MakeServiceAccount(20, "deployer", 1000);
  Create(account);
  REQUIRE(store->DeleteCredential(account).ok());
  auto by_name = store->FindCredentialByName(CredentialKind::kServiceAccount, "", "deployer");
  REQUIRE(by_name.ok());
  CHECK_FALSE(by_name->has_value());
  auto by_client = store->FindCredentialByClientId(account.client_id);
  REQUIRE(by_client.ok());
  CHECK_FALSE(by_client->has_value());
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)).empty());
}

TEST_CASE_METHOD(StoreFixture, "DeleteUser removes the user, its email index and every credential it owns", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1100);
  Create(ada);
  Create(bob);
  CredentialRecord ada1 = MakeKey(10, ada, "k1", 2000);
  CredentialRecord ada2 = MakeKey(11, ada, "k2", 2001);
  CredentialRecord bob1 = MakeKey(12, bob, "k1", 2002);
  CredentialRecord account = MakeServiceAccount(20, "org", 2003);
  for (const auto& c : {ada1, ada2, bob1, account}) Create(c);
  REQUIRE(store->RecordLastLogins({{ada.id, 5000}, {ada1.id, 5000}}).ok());

  REQUIRE(store->DeleteUser(ada).ok());

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
  Create(again);
  auto found = store->FindUserByEmail("ada@example.com");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == again.id);
  CHECK_FALSE((*found)->last_login_ms.has_value());
}

TEST_CASE_METHOD(StoreFixture, "recorded last logins show on every read of users and credentials", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(ada);
  Create(bob);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "org", 2000);
  Create(key);
  Create(account);

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

TEST_CASE_METHOD(StoreFixture, "reads asked to skip the last login leave it unset", "[store]") {
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(ada);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(key);
  REQUIRE(store->RecordLastLogins({{ada.id, 1111}, {key.id, 2222}}).ok());

  auto user = store->GetUser(ada.id, keymint::LastLoginField::kSkip);
  REQUIRE(user.ok());
  REQUIRE(user->has_value());
  CHECK((*user)->email == "ada@example.com");
  CHECK_FALSE((*user)->last_login_ms.has_value());
  CHECK(store->GetUser(ada.id, keymint::LastLoginField::kRead).value()->last_login_ms == 1111);

  auto credential = store->FindCredentialByClientId(key.client_id, keymint::LastLoginField::kSkip);
  REQUIRE(credential.ok());
  REQUIRE(credential->has_value());
  CHECK((*credential)->secret_hash == key.secret_hash);
  CHECK_FALSE((*credential)->last_login_ms.has_value());
  CHECK(store->FindCredentialByClientId(key.client_id, keymint::LastLoginField::kRead).value()->last_login_ms == 2222);

  auto missing = store->FindCredentialByClientId("no-such-client", keymint::LastLoginField::kSkip);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("data survives closing and reopening the store", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("db");
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "org", 3000);
  {
    auto store = Open(path);
    REQUIRE(store->CreateUser(ada).ok());
    REQUIRE(store->CreateCredential(key).ok());
    REQUIRE(store->CreateCredential(account).ok());
    REQUIRE(store->RecordLastLogins({{key.id, 7777}, {ada.id, 8888}}).ok());  // unsynced: closing flushes
  }
  auto store = Open(path);
  auto user = store->FindUserByEmail("ada@example.com");
  REQUIRE(user.ok());
  REQUIRE(user->has_value());
  CHECK((*user)->id == ada.id);
  CHECK((*user)->last_login_ms == 8888);
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

TEST_CASE("opening a directory already open fails with a message naming it", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("db");
  auto first = Open(path);
  auto second = keymint::OpenRocksDbStore(path);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(second.error().message, Catch::Contains(path));
}

TEST_CASE("opening creates a missing data directory", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("nested/deeper/db");
  auto store = Open(path);
  CHECK(std::filesystem::is_directory(path));
}
