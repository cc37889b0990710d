// The fixture's UserService hashes with the test suite's cheap iteration
// count; one test checks that the default is the production one.
#include "keymint/service/user_service.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "keymint/crypto/password_hash.hpp"
#include "keymint/service/access_key_service.hpp"
#include "unit/test_support/service_env.hpp"

using keymint::AccessKeyService;
using keymint::ErrorCode;
using keymint::Principal;
using keymint::RoleCatalog;
using keymint::UserRecord;
using keymint::UserService;
using keymint::crypto::VerifyPassword;
using keymint::testing::ServiceEnv;

namespace {

const std::string kAdmin = "System administrator";

struct UserFixture : ServiceEnv {
  RoleCatalog catalog;
  UserService users{*store, catalog, clock, limiter, nullptr, keymint::testing::kTestPasswordIterations};

  std::vector<UserRecord> StoredUsers() {
    auto listed = store->ListUsers();
    REQUIRE(listed.ok());
    return std::move(listed).value();
  }
  UserRecord Stored(const std::string& id) {
    auto found = store->GetUser(id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return std::move(**found);
  }
};

}  // namespace

TEST_CASE_METHOD(UserFixture, "EnsureFirstAdmin creates the first admin once, with the given password", "[service]") {
  auto first = users.EnsureFirstAdmin("admin@keymint.local", std::string("first-admin-password"));
  REQUIRE(first.ok());
  CHECK_FALSE(first->has_value());  // nothing generated

  auto stored = StoredUsers();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].email == "admin@keymint.local");
  CHECK(stored[0].roles == std::vector<std::string>{kAdmin});
  CHECK(stored[0].created_by == "keymint");
  CHECK(stored[0].created_at_ms == clock.NowMillis());
  CHECK(VerifyPassword("first-admin-password", stored[0].password_hash));

  auto second = users.EnsureFirstAdmin("admin@keymint.local", std::string("another-password"));
  REQUIRE(second.ok());
  CHECK_FALSE(second->has_value());
  auto after = StoredUsers();
  REQUIRE(after.size() == 1);
  CHECK(after[0].password_hash == stored[0].password_hash);
}

TEST_CASE_METHOD(UserFixture, "EnsureFirstAdmin generates and returns a password when none is given", "[service]") {
  auto generated = users.EnsureFirstAdmin("admin@keymint.local", std::nullopt);
  REQUIRE(generated.ok());
  REQUIRE(generated->has_value());
  const std::string& password = **generated;
  CHECK(password.size() >= 16);
  auto stored = StoredUsers();
  REQUIRE(stored.size() == 1);
  CHECK(VerifyPassword(password, stored[0].password_hash));

  auto again = users.EnsureFirstAdmin("admin@keymint.local", std::nullopt);
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  CHECK(StoredUsers().size() == 1);
}

TEST_CASE_METHOD(UserFixture, "EnsureFirstAdmin does nothing when any user exists", "[service]") {
  AddUser("someone@example.com", {"Viewer"});
  auto result = users.EnsureFirstAdmin("admin@keymint.local", std::nullopt);
  REQUIRE(result.ok());
  CHECK_FALSE(result->has_value());
  auto stored = StoredUsers();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].email == "someone@example.com");
}

TEST_CASE_METHOD(UserFixture, "EnsureFirstAdmin refuses a bad email or a short password", "[service]") {
  auto bad_email = users.EnsureFirstAdmin("not-an-email", std::string("long-enough-password"));
  REQUIRE_FALSE(bad_email.ok());
  CHECK(bad_email.error().code == ErrorCode::kInvalidArgument);
  auto short_password = users.EnsureFirstAdmin("admin@keymint.local", std::string("short"));
  REQUIRE_FALSE(short_password.ok());
  CHECK(short_password.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(short_password.error().message, Catch::Contains("KEYMINT_ADMIN_PASSWORD"));
  CHECK(StoredUsers().empty());
}

TEST_CASE_METHOD(UserFixture, "Create stores a user with a temporary password and a taken email is AlreadyExists",
                 "[service]") {
  UserRecord admin = AddUser("admin@example.com", {kAdmin});
  clock.Set(1'700'000'777'000);
  auto created = users.Create(admin.email, "ada@example.com", {"L1 researcher", "Viewer"});
  REQUIRE(created.ok());
  CHECK(created->user.email == "ada@example.com");
  CHECK(created->user.roles == std::vector<std::string>{"L1 researcher", "Viewer"});
  CHECK(created->user.created_by == "admin@example.com");
  CHECK(created->temp_password.size() >= 16);

  UserRecord stored = Stored(created->user.id);
  CHECK(stored.email == "ada@example.com");
  CHECK(stored.created_at_ms == 1'700'000'777'000);
  CHECK(stored.password_hash.find(created->temp_password) == std::string::npos);
  CHECK(VerifyPassword(created->temp_password, stored.password_hash));

  auto duplicate = users.Create(admin.email, "ada@example.com", {"Viewer"});
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == ErrorCode::kAlreadyExists);
  auto other_case = users.Create(admin.email, "Ada@EXAMPLE.com", {"Viewer"});
  REQUIRE_FALSE(other_case.ok());
  CHECK(other_case.error().code == ErrorCode::kAlreadyExists);
  CHECK(StoredUsers().size() == 2);
}

TEST_CASE_METHOD(UserFixture, "Passwords are hashed with the configured PBKDF2 rounds, 600000 by default",
                 "[service]") {
  const UserRecord admin = AddUser("admin@example.com", {kAdmin});
  auto cheap = users.Create(admin.email, "cheap@example.com", {"Viewer"});
  REQUIRE(cheap.ok());
  const std::string cheap_hash = Stored(cheap->user.id).password_hash;
  CHECK(cheap_hash.rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(VerifyPassword(cheap->temp_password, cheap_hash));

  UserService production{*store, catalog, clock, limiter};  // the default count
  auto reset = production.ResetPassword(cheap->user.id);
  REQUIRE(reset.ok());
  const std::string strong_hash = Stored(cheap->user.id).password_hash;
  CHECK(strong_hash.rfind("pbkdf2-sha256$600000$", 0) == 0);
  CHECK(VerifyPassword(*reset, strong_hash));
}

TEST_CASE_METHOD(UserFixture, "Create stores the email lowercased", "[service]") {
  UserRecord admin = AddUser("admin@example.com", {kAdmin});
  auto created = users.Create(admin.email, "Grace.Hopper@Example.COM", {"Viewer"});
  REQUIRE(created.ok());
  CHECK(created->user.email == "grace.hopper@example.com");
  CHECK(Stored(created->user.id).email == "grace.hopper@example.com");
}

TEST_CASE_METHOD(UserFixture, "Create refuses an invalid email or unknown or repeated roles", "[service]") {
  UserRecord admin = AddUser("admin@example.com", {kAdmin});
  auto bad_email = users.Create(admin.email, "ada-at-example.com", {"Viewer"});
  REQUIRE_FALSE(bad_email.ok());
  CHECK(bad_email.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(bad_email.error().message, Catch::Contains("email"));

  auto unknown_role = users.Create(admin.email, "ada@example.com", {"Viewer", "Overlord"});
  REQUIRE_FALSE(unknown_role.ok());
  CHECK(unknown_role.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(unknown_role.error().message, Catch::Contains("roles") && Catch::Contains("Overlord"));

  auto repeated = users.Create(admin.email, "ada@example.com", {"Viewer", "Viewer"});
  REQUIRE_FALSE(repeated.ok());
  CHECK(repeated.error().code == ErrorCode::kInvalidArgument);

  CHECK(StoredUsers().size() == 1);
}

TEST_CASE_METHOD(UserFixture, "Get and List read users from the store", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  clock.Advance(1000);
  UserRecord bob = AddUser("bob@example.com", {"Editor"});
  auto got = users.Get(bob.id);
  REQUIRE(got.ok());
  CHECK(got->email == "bob@example.com");
  auto listed = users.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].id == ada.id);
  CHECK((*listed)[1].id == bob.id);
  auto missing = users.Get(keymint::crypto::NewUuidV4());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(UserFixture, "SetRoles replaces a user's roles", "[service]") {
  AddUser("admin@example.com", {kAdmin});
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  clock.Advance(60'000);
  auto updated = users.SetRoles(ada.id, {"Editor", "ML engineer"});
  REQUIRE(updated.ok());
  CHECK(updated->roles == std::vector<std::string>{"Editor", "ML engineer"});
  UserRecord stored = Stored(ada.id);
  CHECK(stored.roles == std::vector<std::string>{"Editor", "ML engineer"});
  CHECK(stored.updated_at_ms == clock.NowMillis());
  CHECK(stored.created_at_ms == ada.created_at_ms);

  CHECK(users.SetRoles(ada.id, {"Overlord"}).error().code == ErrorCode::kInvalidArgument);
  CHECK(users.SetRoles(keymint::crypto::NewUuidV4(), {"Viewer"}).error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(UserFixture, "SetRoles refuses to demote the last System administrator", "[service]") {
  UserRecord admin = AddUser("admin@example.com", {kAdmin, "Viewer"});
  AddUser("ada@example.com", {"Viewer"});

  auto demoted = users.SetRoles(admin.id, {"Viewer"});
  REQUIRE_FALSE(demoted.ok());
  CHECK(demoted.error().code == ErrorCode::kInvalidArgument);
  CHECK(Stored(admin.id).roles == std::vector<std::string>{kAdmin, "Viewer"});

  // Keeping the admin role while changing others is fine.
  REQUIRE(users.SetRoles(admin.id, {kAdmin}).ok());
}

TEST_CASE_METHOD(UserFixture, "SetRoles may demote an administrator while another remains", "[service]") {
  UserRecord first = AddUser("admin1@example.com", {kAdmin});
  UserRecord second = AddUser("admin2@example.com", {kAdmin});
  REQUIRE(users.SetRoles(first.id, {"Viewer"}).ok());
  CHECK(Stored(first.id).roles == std::vector<std::string>{"Viewer"});
  // Now `second` is the last one.
  CHECK(users.SetRoles(second.id, {}).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE_METHOD(UserFixture, "Delete refuses to delete the last System administrator", "[service]") {
  UserRecord admin = AddUser("admin@example.com", {kAdmin});
  AddUser("ada@example.com", {"Viewer"});
  auto deleted = users.Delete(admin.id);
  REQUIRE_FALSE(deleted.ok());
  CHECK(deleted.error().code == ErrorCode::kInvalidArgument);
  CHECK(store->GetUser(admin.id).value().has_value());
}

TEST_CASE_METHOD(UserFixture, "Delete removes an administrator while another remains, and any non-admin", "[service]") {
  UserRecord first = AddUser("admin1@example.com", {kAdmin});
  UserRecord second = AddUser("admin2@example.com", {kAdmin});
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  REQUIRE(users.Delete(first.id).ok());
  REQUIRE(users.Delete(ada.id).ok());
  CHECK_FALSE(store->GetUser(first.id).value().has_value());
  CHECK_FALSE(store->FindUserByEmail("ada@example.com").value().has_value());
  CHECK(users.Delete(second.id).error().code == ErrorCode::kInvalidArgument);
  CHECK(users.Delete(ada.id).error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(UserFixture, "Delete removes the user's access keys too", "[service]") {
  AddUser("admin@example.com", {kAdmin});
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  UserRecord bob = AddUser("bob@example.com", {"Viewer"});
  AccessKeyService key_service{*store, hasher, clock, 20};
  auto k1 = key_service.Create(Principal::OfUser(ada), "one");
  auto k2 = key_service.Create(Principal::OfUser(ada), "two");
  auto bobs = key_service.Create(Principal::OfUser(bob), "one");
  REQUIRE(k1.ok());
  REQUIRE(k2.ok());
  REQUIRE(bobs.ok());

  REQUIRE(users.Delete(ada.id).ok());

  CHECK_FALSE(store->FindCredentialByClientId(k1->value.client_id).value().has_value());
  CHECK_FALSE(store->FindCredentialByClientId(k2->value.client_id).value().has_value());
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 0);
  CHECK(store->FindCredentialByClientId(bobs->value.client_id).value().has_value());
}

TEST_CASE_METHOD(UserFixture, "ResetPassword replaces the password with a new temporary one", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "old-password-123");
  auto temp = users.ResetPassword(ada.id);
  REQUIRE(temp.ok());
  CHECK(temp->size() >= 16);
  UserRecord stored = Stored(ada.id);
  CHECK(stored.password_hash != ada.password_hash);
  CHECK(VerifyPassword(*temp, stored.password_hash));

  CHECK(users.ResetPassword(keymint::crypto::NewUuidV4()).error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(UserFixture, "ChangeOwnPassword refuses a wrong current password or a short new one", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "old-password-123");

  auto wrong_current = users.ChangeOwnPassword(Principal::OfUser(ada), "not-my-password", "new-password-456");
  REQUIRE_FALSE(wrong_current.ok());
  CHECK(wrong_current.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(wrong_current.error().message, Catch::Contains("currentPassword"));

  auto too_short = users.ChangeOwnPassword(Principal::OfUser(ada), "old-password-123", "1234567");
  REQUIRE_FALSE(too_short.ok());
  CHECK(too_short.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(too_short.error().message, Catch::Contains("newPassword"));

  CHECK(Stored(ada.id).password_hash == ada.password_hash);
}

TEST_CASE_METHOD(UserFixture, "ChangeOwnPassword stores the new password", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "old-password-123");
  REQUIRE(users.ChangeOwnPassword(Principal::OfUser(ada), "old-password-123", "new-password-456").ok());
  UserRecord stored = Stored(ada.id);
  CHECK(stored.password_hash != ada.password_hash);
  CHECK(VerifyPassword("new-password-456", stored.password_hash));
  CHECK(stored.roles == ada.roles);
}

TEST_CASE_METHOD(UserFixture, "ResetPassword moves the user's generation on by one", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  REQUIRE(Stored(ada.id).generation == 0);
  REQUIRE(users.ResetPassword(ada.id).ok());
  CHECK(Stored(ada.id).generation == 1);
  REQUIRE(users.ResetPassword(ada.id).ok());
  CHECK(Stored(ada.id).generation == 2);
}

TEST_CASE_METHOD(UserFixture, "ChangeOwnPassword moves the generation on, a refused change does not", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "old-password-123");
  CHECK_FALSE(users.ChangeOwnPassword(Principal::OfUser(ada), "old-password-123", "short").ok());
  CHECK(Stored(ada.id).generation == 0);
  REQUIRE(users.ChangeOwnPassword(Principal::OfUser(ada), "old-password-123", "new-password-456").ok());
  CHECK(Stored(ada.id).generation == 1);
}

TEST_CASE_METHOD(UserFixture, "SetRoles moves the generation on only when it takes System administrator away",
                 "[service]") {
  UserRecord first = AddUser("admin1@example.com", {kAdmin});
  UserRecord second = AddUser("admin2@example.com", {kAdmin});
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});

  // Changes that leave System administrator where it was end no session.
  REQUIRE(users.SetRoles(ada.id, {"Editor"}).ok());
  REQUIRE(users.SetRoles(first.id, {kAdmin, "Editor"}).ok());
  REQUIRE(users.SetRoles(ada.id, {"Editor", kAdmin}).ok());  // a promotion
  CHECK(Stored(ada.id).generation == 0);
  CHECK(Stored(first.id).generation == 0);

  REQUIRE(users.SetRoles(ada.id, {"Editor"}).ok());
  CHECK(Stored(ada.id).generation == 1);
  REQUIRE(users.SetRoles(first.id, {"Viewer"}).ok());
  CHECK(Stored(first.id).generation == 1);
  // Refused (the last administrator): nothing changes.
  CHECK_FALSE(users.SetRoles(second.id, {"Viewer"}).ok());
  CHECK(Stored(second.id).generation == 0);
  // The answer shows the stored roles.
  auto promoted = users.SetRoles(first.id, {kAdmin});
  REQUIRE(promoted.ok());
  CHECK(promoted->roles == std::vector<std::string>{kAdmin});
  CHECK(Stored(first.id).generation == 1);
  auto removed = users.SetRoles(first.id, {});
  REQUIRE(removed.ok());
  CHECK(removed->roles.empty());
  CHECK(Stored(first.id).generation == 2);
}
