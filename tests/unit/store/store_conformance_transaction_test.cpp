// Store conformance: transactions (keymint/store/store.hpp) are atomic,
// isolated from each other, abort on any error, keep the unique indexes
// unique, and never block reads outside them. Catch2 assertions are not
// thread-safe: the threads below only record what happened, and the test
// thread checks it.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <future>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "keymint/store/store.hpp"
#include "unit/store/store_conformance.hpp"

namespace keymint::testing {
namespace {

// Widens the window between a body's check and its write, so that a backend
// that does not isolate transactions lets another one in.
void Dawdle() { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }

std::size_t UserCount(const Store& store) { return store.ListUsers().value().size(); }

}  // namespace

TEMPLATE_TEST_CASE("a transaction's reads see its own staged writes", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000, {"System administrator"});
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord doomed = MakeServiceAccount(20, "doomed", 2001);
  Create(*store, doomed);

  struct Reads {
    std::optional<UserRecord> user, by_email, updated;
    std::size_t users = 0, admins = 0, admins_after_update = 0;
    std::optional<CredentialRecord> credential, by_client, by_name, deleted;
    std::size_t owned = 0, access_keys = 0, service_accounts = 0;
  } r;
  Commit(*store, [&](StoreTransaction& tx) -> Status {
    RETURN_IF_ERROR(tx.CreateUser(ada));
    ASSIGN_OR_RETURN(r.user, tx.GetUser(ada.id));
    ASSIGN_OR_RETURN(r.by_email, tx.FindUserByEmail(ada.email));
    ASSIGN_OR_RETURN(r.users, tx.CountUsers());
    ASSIGN_OR_RETURN(r.admins, tx.CountUsersWithRole("System administrator"));
    UserRecord demoted = ada;
    demoted.roles = {"Viewer"};
    RETURN_IF_ERROR(tx.UpdateUser(demoted));
    ASSIGN_OR_RETURN(r.updated, tx.GetUser(ada.id));
    ASSIGN_OR_RETURN(r.admins_after_update, tx.CountUsersWithRole("System administrator"));

    RETURN_IF_ERROR(tx.CreateCredential(key));
    ASSIGN_OR_RETURN(r.credential, tx.GetCredential(key.id));
    ASSIGN_OR_RETURN(r.by_client, tx.FindCredentialByClientId(key.client_id));
    ASSIGN_OR_RETURN(r.by_name, tx.FindCredentialByName(CredentialKind::kAccessKey, ada.id, "ci"));
    ASSIGN_OR_RETURN(r.owned, tx.CountCredentialsOfOwner(ada.id));
    ASSIGN_OR_RETURN(r.access_keys, tx.CountCredentialsOfKind(CredentialKind::kAccessKey));
    RETURN_IF_ERROR(tx.DeleteCredential(doomed.id));
    ASSIGN_OR_RETURN(r.deleted, tx.GetCredential(doomed.id));
    ASSIGN_OR_RETURN(r.service_accounts, tx.CountCredentialsOfKind(CredentialKind::kServiceAccount));
    return Status::Ok();
  });

  REQUIRE(r.user.has_value());
  CHECK(r.user->email == ada.email);
  REQUIRE(r.by_email.has_value());
  CHECK(r.by_email->id == ada.id);
  CHECK(r.users == 1);
  CHECK(r.admins == 1);
  REQUIRE(r.updated.has_value());
  CHECK(r.updated->roles == std::vector<std::string>{"Viewer"});
  CHECK(r.admins_after_update == 0);
  REQUIRE(r.credential.has_value());
  CHECK(r.credential->secret_hash == key.secret_hash);
  REQUIRE(r.by_client.has_value());
  CHECK(r.by_client->id == key.id);
  REQUIRE(r.by_name.has_value());
  CHECK(r.by_name->id == key.id);
  CHECK(r.owned == 1);
  CHECK(r.access_keys == 1);
  CHECK_FALSE(r.deleted.has_value());
  CHECK(r.service_accounts == 0);

  // And all of it committed.
  CHECK(store->GetUser(ada.id).value()->roles == std::vector<std::string>{"Viewer"});
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{key.id});
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)).empty());
}

TEMPLATE_TEST_CASE("a body that stages writes and then fails leaves the store as it was", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  CredentialRecord kept = MakeKey(10, ada, "kept", 2000);
  Create(*store, ada);
  Create(*store, kept);
  UserRecord bob = MakeUser(2, "bob@example.com", 1100);
  CredentialRecord added = MakeKey(11, ada, "added", 2001);

  Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
    RETURN_IF_ERROR(tx.CreateUser(bob));
    RETURN_IF_ERROR(tx.CreateCredential(added));
    UserRecord changed = ada;
    changed.roles = {"Editor"};
    RETURN_IF_ERROR(tx.UpdateUser(changed));
    RETURN_IF_ERROR(tx.DeleteCredential(kept.id));
    return Error::InvalidArgument("changed my mind");
  });

  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == ErrorCode::kInvalidArgument);
  CHECK(outcome.error().message == "changed my mind");
  CHECK_FALSE(store->GetUser(bob.id).value().has_value());
  CHECK_FALSE(store->FindUserByEmail(bob.email).value().has_value());
  CHECK(Ids(store->ListUsers().value()) == std::vector<std::string>{ada.id});
  CHECK(store->GetUser(ada.id).value()->roles == ada.roles);
  CHECK_FALSE(store->GetCredential(added.id).value().has_value());
  CHECK_FALSE(store->FindCredentialByClientId(added.client_id).value().has_value());
  CHECK(store->FindCredentialByName(CredentialKind::kAccessKey, ada.id, "kept").value().has_value());
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{kept.id});
  CHECK(store->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 1);
}

TEMPLATE_TEST_CASE("an aborted DeleteUser leaves the user and every credential they own", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  CredentialRecord k1 = MakeKey(10, ada, "k1", 2000);
  CredentialRecord k2 = MakeKey(11, ada, "k2", 2001);
  Create(*store, ada);
  Create(*store, k1);
  Create(*store, k2);

  Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
    RETURN_IF_ERROR(tx.DeleteUser(ada.id));
    return Error::Unavailable("the disk caught fire");
  });

  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == ErrorCode::kUnavailable);
  CHECK(store->FindUserByEmail(ada.email).value().has_value());
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{k1.id, k2.id});
  CHECK(store->FindCredentialByClientId(k2.client_id).value().has_value());
}

TEMPLATE_TEST_CASE("after a failed operation nothing commits even when the body returns OK", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  UserRecord bob = MakeUser(2, "bob@example.com", 1100);
  UserRecord ada_again = MakeUser(3, "ada@example.com", 1200);

  Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
    RETURN_IF_ERROR(tx.CreateUser(bob));
    (void)tx.CreateUser(ada_again);  // the email is taken: fails, and the body carries on regardless
    return Status::Ok();
  });

  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == ErrorCode::kAlreadyExists);
  CHECK_FALSE(store->GetUser(bob.id).value().has_value());
  CHECK(UserCount(*store) == 1);
}

TEMPLATE_TEST_CASE("a body that stages nothing commits and changes nothing", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  std::optional<UserRecord> seen;
  Commit(*store, [&](StoreTransaction& tx) -> Status {
    ASSIGN_OR_RETURN(seen, tx.GetUser(ada.id));
    return Status::Ok();
  });
  REQUIRE(seen.has_value());
  CHECK(seen->email == ada.email);
  CHECK(Ids(store->ListUsers().value()) == std::vector<std::string>{ada.id});
}

TEMPLATE_TEST_CASE("CreateUser refuses a taken id or email with AlreadyExists", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  auto create = [&](const UserRecord& user) {
    return store->RunTransaction([&](StoreTransaction& tx) { return tx.CreateUser(user); });
  };

  Status same_id = create(MakeUser(1, "other@example.com", 2000));
  REQUIRE_FALSE(same_id.ok());
  CHECK(same_id.error().code == ErrorCode::kAlreadyExists);
  Status same_email = create(MakeUser(2, "ada@example.com", 2000));
  REQUIRE_FALSE(same_email.ok());
  CHECK(same_email.error().code == ErrorCode::kAlreadyExists);
  // Taken earlier in the same transaction counts too.
  Status twice = store->RunTransaction([&](StoreTransaction& tx) -> Status {
    RETURN_IF_ERROR(tx.CreateUser(MakeUser(3, "bob@example.com", 3000)));
    return tx.CreateUser(MakeUser(4, "bob@example.com", 3001));
  });
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::kAlreadyExists);

  CHECK(Ids(store->ListUsers().value()) == std::vector<std::string>{ada.id});
  CHECK(store->FindUserByEmail("ada@example.com").value()->id == ada.id);
  CHECK(store->GetUser(ada.id).value()->email == "ada@example.com");
}

TEMPLATE_TEST_CASE("CreateCredential refuses a taken id, client ID or name in the same kind and scope", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  CredentialRecord account = MakeServiceAccount(20, "deployer", 2000);
  Create(*store, key);
  Create(*store, account);
  auto create = [&](const CredentialRecord& credential) {
    return store->RunTransaction([&](StoreTransaction& tx) { return tx.CreateCredential(credential); });
  };
  auto check_taken = [&](const CredentialRecord& credential) {
    Status created = create(credential);
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == ErrorCode::kAlreadyExists);
  };

  CredentialRecord same_id = MakeKey(11, ada, "other", 2001);
  same_id.id = key.id;
  check_taken(same_id);
  CredentialRecord same_client_id = MakeServiceAccount(21, "other", 2001);
  same_client_id.client_id = key.client_id;  // one client-ID namespace across kinds
  check_taken(same_client_id);
  check_taken(MakeKey(12, ada, "ci", 2002));
  check_taken(MakeServiceAccount(22, "deployer", 2002));
  CHECK(store->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 1);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 1);
  CHECK(store->GetCredential(key.id).value()->name == "ci");

  // The same name in another owner's scope, or of the other kind, is free.
  Create(*store, MakeKey(13, bob, "ci", 2003));
  Create(*store, MakeServiceAccount(23, "ci", 2003));
  Create(*store, MakeKey(14, ada, "deployer", 2004));
}

TEMPLATE_TEST_CASE("updating or deleting a record that does not exist is NotFound", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ghost = MakeUser(1, "ghost@example.com", 1000);
  CredentialRecord phantom = MakeServiceAccount(20, "phantom", 2000);
  auto code = [&](const TransactionBody& body) {
    Status outcome = store->RunTransaction(body);
    REQUIRE_FALSE(outcome.ok());
    return outcome.error().code;
  };
  CHECK(code([&](StoreTransaction& tx) { return tx.UpdateUser(ghost); }) == ErrorCode::kNotFound);
  CHECK(code([&](StoreTransaction& tx) { return tx.DeleteUser(ghost.id); }) == ErrorCode::kNotFound);
  CHECK(code([&](StoreTransaction& tx) { return tx.UpdateCredential(phantom); }) == ErrorCode::kNotFound);
  CHECK(code([&](StoreTransaction& tx) { return tx.DeleteCredential(phantom.id); }) == ErrorCode::kNotFound);
  // An update does not create the record.
  CHECK_FALSE(store->GetUser(ghost.id).value().has_value());
  CHECK_FALSE(store->GetCredential(phantom.id).value().has_value());
}

TEMPLATE_TEST_CASE("an update that would change an immutable field is refused as Internal", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  UserRecord bob = MakeUser(2, "bob@example.com", 1000);
  Create(*store, ada);
  Create(*store, bob);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, key);
  auto refused = [&](const TransactionBody& body) {
    Status outcome = store->RunTransaction(body);
    return !outcome.ok() && outcome.error().code == ErrorCode::kInternal;
  };

  UserRecord new_email = ada;
  new_email.email = "ada2@example.com";
  CHECK(refused([&](StoreTransaction& tx) { return tx.UpdateUser(new_email); }));
  UserRecord new_created = ada;
  new_created.created_at_ms = 5000;
  CHECK(refused([&](StoreTransaction& tx) { return tx.UpdateUser(new_created); }));

  auto changed_key = [&](auto change) {
    CredentialRecord c = key;
    change(c);
    return c;
  };
  for (const CredentialRecord& changed :
       {changed_key([](CredentialRecord& c) { c.kind = CredentialKind::kServiceAccount; }),
        changed_key([](CredentialRecord& c) { c.name = "renamed"; }),
        changed_key([&](CredentialRecord& c) { c.owner_id = bob.id; }),
        changed_key([](CredentialRecord& c) { c.client_id = "another-client"; }),
        changed_key([](CredentialRecord& c) { c.created_at_ms = 9000; })}) {
    CHECK(refused([&](StoreTransaction& tx) { return tx.UpdateCredential(changed); }));
  }

  CHECK(store->GetUser(ada.id).value()->email == "ada@example.com");
  CHECK(store->FindUserByEmail("ada@example.com").value()->created_at_ms == 1000);
  CHECK_FALSE(store->FindUserByEmail("ada2@example.com").value().has_value());
  auto stored = store->FindCredentialByClientId(key.client_id).value();
  REQUIRE(stored.has_value());
  CHECK(stored->name == "ci");
  CHECK(stored->owner_id == ada.id);
  CHECK(stored->kind == CredentialKind::kAccessKey);
  CHECK(List(*store, OwnerQuery(ada)) == std::vector<std::string>{key.id});
  CHECK(List(*store, OwnerQuery(bob)).empty());
}

TEMPLATE_TEST_CASE("writes ignore last_login_ms", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  ada.last_login_ms = 1234;
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  key.last_login_ms = 5678;
  Create(*store, ada);
  Create(*store, key);
  CHECK_FALSE(store->GetUser(ada.id).value()->last_login_ms.has_value());
  CHECK_FALSE(store->GetCredential(key.id).value()->last_login_ms.has_value());

  REQUIRE(store->RecordLastLogins({{ada.id, 1111}}).ok());
  ada.last_login_ms = 9999;
  Update(*store, ada);
  CHECK(store->GetUser(ada.id).value()->last_login_ms == 1111);
}

TEMPLATE_TEST_CASE("concurrent count-then-create transactions stop exactly at the limit", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  constexpr std::size_t kLimit = 20;
  constexpr int kThreads = 8;
  std::vector<int> created(kThreads, 0);

  RunConcurrently(kThreads, [&](int thread) {
    for (int attempt = 0;; ++attempt) {
      const int n = 1000 + thread * 100 + attempt;
      Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
        ASSIGN_OR_RETURN(std::size_t count, tx.CountCredentialsOfOwner(ada.id));
        if (count >= kLimit) return Error::InvalidArgument("limit reached");
        Dawdle();
        return tx.CreateCredential(MakeKey(n, ada, "key-" + std::to_string(n), 2000 + n));
      });
      if (!outcome.ok()) return;
      ++created[thread];
    }
  });

  int total = 0;
  for (int n : created) total += n;
  CHECK(total == static_cast<int>(kLimit));
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == kLimit);
  CHECK(List(*store, OwnerQuery(ada)).size() == kLimit);
}

TEMPLATE_TEST_CASE("of concurrent transactions creating the same name exactly one succeeds", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  constexpr int kThreads = 8;
  std::vector<std::optional<ErrorCode>> failures(kThreads);

  RunConcurrently(kThreads, [&](int thread) {
    Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto taken, tx.FindCredentialByName(CredentialKind::kServiceAccount, "", "deployer"));
      if (taken) return Error::AlreadyExists("deployer is taken");
      Dawdle();
      return tx.CreateCredential(MakeServiceAccount(100 + thread, "deployer", 2000 + thread));
    });
    if (!outcome.ok()) failures[thread] = outcome.error().code;
  });

  int succeeded = 0;
  for (const auto& failure : failures) {
    if (!failure) {
      ++succeeded;
    } else {
      CHECK(*failure == ErrorCode::kAlreadyExists);
    }
  }
  CHECK(succeeded == 1);
  CHECK(store->CountCredentialsOfKind(CredentialKind::kServiceAccount).value() == 1);
  CHECK(List(*store, KindQuery(CredentialKind::kServiceAccount)).size() == 1);
}

TEMPLATE_TEST_CASE("concurrent demotions of different administrators always leave one", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  constexpr int kThreads = 8;
  std::vector<UserRecord> admins;
  for (int i = 0; i < kThreads; ++i) {
    admins.push_back(MakeUser(i + 1, "admin" + std::to_string(i) + "@example.com", 1000 + i, {"System administrator"}));
    Create(*store, admins.back());
  }
  std::vector<int> demoted(kThreads, 0);

  // Each demotes a different administrator, so no two write the same record:
  // only isolation stops them all passing the check (write skew).
  RunConcurrently(kThreads, [&](int thread) {
    Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(std::size_t count, tx.CountUsersWithRole("System administrator"));
      if (count <= 1) return Error::InvalidArgument("the last administrator stays");
      Dawdle();
      UserRecord viewer = admins[thread];
      viewer.roles = {"Viewer"};
      return tx.UpdateUser(viewer);
    });
    demoted[thread] = outcome.ok() ? 1 : 0;
  });

  int total = 0;
  for (int n : demoted) total += n;
  CHECK(total == kThreads - 1);
  std::size_t remaining = 0;
  auto users = store->ListUsers();
  REQUIRE(users.ok());
  for (const auto& user : *users) {
    if (user.roles == std::vector<std::string>{"System administrator"}) ++remaining;
  }
  CHECK(remaining == 1);
}

TEMPLATE_TEST_CASE("concurrent read-modify-write transactions lose no update", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*store, ada);
  constexpr int kThreads = 8;
  constexpr int kEach = 5;
  std::vector<int> failed(kThreads, 0);

  RunConcurrently(kThreads, [&](int thread) {
    for (int i = 0; i < kEach; ++i) {
      Status outcome = store->RunTransaction([&](StoreTransaction& tx) -> Status {
        ASSIGN_OR_RETURN(auto user, tx.GetUser(ada.id));
        if (!user) return Error::NotFound("ada is gone");
        ++user->generation;
        Dawdle();
        return tx.UpdateUser(*user);
      });
      if (!outcome.ok()) ++failed[thread];
    }
  });

  for (int n : failed) CHECK(n == 0);
  CHECK(store->GetUser(ada.id).value()->generation == static_cast<uint64_t>(kThreads * kEach));
}

TEMPLATE_TEST_CASE("reads and last logins outside a transaction are not blocked by one in progress", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);
  UserRecord bob = MakeUser(2, "bob@example.com", 1100);

  std::promise<void> staged;
  std::atomic<bool> announced = false;  // a backend may run the body more than once
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto transaction = std::async(std::launch::async, [&] {
    return store->RunTransaction([&](StoreTransaction& tx) -> Status {
      RETURN_IF_ERROR(tx.CreateUser(bob));
      if (!announced.exchange(true)) staged.set_value();
      // Bounded, so that a backend that blocks the reads below fails the
      // test instead of hanging it.
      released.wait_for(std::chrono::seconds(10));
      return Status::Ok();
    });
  });
  staged.get_future().wait();

  struct Outside {
    bool user_found = false, key_found = false, bob_visible = true, recorded = false;
    std::size_t users = 0, keys = 0;
  };
  auto reads = std::async(std::launch::async, [&] {
    Outside o;
    o.user_found = store->GetUser(ada.id, LastLoginField::kSkip).value().has_value();
    o.key_found = store->FindCredentialByClientId(key.client_id, LastLoginField::kSkip).value().has_value();
    o.bob_visible = store->FindUserByEmail(bob.email).value().has_value();
    o.users = store->ListUsers().value().size();
    o.keys = store->CountCredentialsOfOwner(ada.id).value();
    o.recorded = store->RecordLastLogins({{key.id, 4242}}).ok();
    return o;
  });
  const bool answered = reads.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  release.set_value();
  REQUIRE(answered);
  Outside o = reads.get();
  CHECK(o.user_found);
  CHECK(o.key_found);
  CHECK_FALSE(o.bob_visible);  // staged, not yet committed
  CHECK(o.users == 1);
  CHECK(o.keys == 1);
  CHECK(o.recorded);

  REQUIRE(transaction.get().ok());
  CHECK(store->FindUserByEmail(bob.email).value().has_value());
  CHECK(store->GetCredential(key.id).value()->last_login_ms == 4242);
}

}  // namespace keymint::testing
