#include "keymint/service/access_key_service.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "keymint/crypto/client_secret.hpp"
#include "unit/test_support/service_env.hpp"

using keymint::AccessKey;
using keymint::AccessKeyFilter;
using keymint::AccessKeyService;
using keymint::CredentialKind;
using keymint::CredentialRecord;
using keymint::ErrorCode;
using keymint::IssuedCredential;
using keymint::Principal;
using keymint::UserRecord;
using keymint::testing::ServiceEnv;

namespace {

std::vector<std::string> Names(const std::vector<AccessKey>& records) {
  std::vector<std::string> names;
  for (const auto& r : records) names.push_back(r.name);
  return names;
}

bool IsUrlSafe(const std::string& text) {
  return text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
         std::string::npos;
}

struct KeyFixture : ServiceEnv {
  AccessKeyService service{*store, hasher, clock, 3};
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  UserRecord bob = AddUser("bob@example.com", {"Viewer"});

  IssuedCredential MustCreate(const UserRecord& owner, std::string_view name) {
    auto created = service.Create(Principal::OfUser(owner), name);
    INFO((created.ok() ? std::string() : created.error().message));
    REQUIRE(created.ok());
    auto stored = store->GetCredential(created->value.id);  // with its secret hash, which answers never show
    REQUIRE(stored.ok());
    REQUIRE(stored->has_value());
    return {std::move(**stored), std::move(created->secret)};
  }
};

}  // namespace

TEST_CASE_METHOD(KeyFixture, "Create stores an access key with a fresh client ID and a hashed secret", "[service]") {
  clock.Set(1'700'000'555'000);
  IssuedCredential issued = MustCreate(ada, "ci");

  const CredentialRecord& key = issued.record;
  CHECK(key.kind == CredentialKind::kAccessKey);
  CHECK(key.name == "ci");
  CHECK(key.owner_id == ada.id);
  CHECK(key.created_by == "ada@example.com");
  CHECK(key.created_at_ms == 1'700'000'555'000);
  CHECK(key.enabled);
  CHECK(key.client_id.size() == 24);
  CHECK(IsUrlSafe(key.client_id));
  CHECK(keymint::crypto::IsWellFormedClientSecret(issued.secret));  // kmsec_, 256 bits, checksum
  CHECK(IsUrlSafe(issued.secret));
  CHECK(key.secret_hash == hasher.Hash(issued.secret));
  CHECK(key.secret_hash != issued.secret);

  auto stored = store->GetCredential(key.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->client_id == key.client_id);
  CHECK((*stored)->secret_hash == hasher.Hash(issued.secret));
}

TEST_CASE_METHOD(KeyFixture, "Create refuses an invalid name with InvalidArgument", "[service]") {
  const std::vector<std::string> invalid = {
      "",     "a",    std::string(256, 'a'), "Ci", "cI", "CI", "1ci", "-ci", "_ci", "ci-", "ci_", "c i", "ci.x", "ci/x",
      "ci:x", "ci\n", "\xc3\xa9t\xc3\xa9",
  };
  for (const auto& name : invalid) {
    INFO("name: \"" << name << "\" (" << name.size() << " chars)");
    auto created = service.Create(Principal::OfUser(ada), name);
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(created.error().message, Catch::Contains("name"));
  }
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 0);
}

TEST_CASE_METHOD(KeyFixture, "Create accepts names at the edges of the rule", "[service]") {
  AccessKeyService roomy{*store, hasher, clock, 20};
  for (std::string name :
       {std::string("ci"), std::string("a1"), std::string("my-key_2"), std::string(255, 'z'), std::string("a-_-0")}) {
    INFO("name of " << name.size() << " chars: " << name.substr(0, 20));
    auto created = roomy.Create(Principal::OfUser(ada), name);
    CHECK(created.ok());
  }
}

TEST_CASE_METHOD(KeyFixture, "a duplicate name for the same owner is AlreadyExists but another owner may reuse it",
                 "[service]") {
  MustCreate(ada, "ci");
  auto again = service.Create(Principal::OfUser(ada), "ci");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK_THAT(again.error().message, Catch::Contains("ci"));

  IssuedCredential bobs = MustCreate(bob, "ci");
  CHECK(bobs.record.owner_id == bob.id);
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 1);
}

TEST_CASE_METHOD(KeyFixture, "the key after the per-user maximum is refused with a message naming the limit",
                 "[service]") {
  MustCreate(ada, "one");
  MustCreate(ada, "two");
  IssuedCredential third = MustCreate(ada, "three");

  auto fourth = service.Create(Principal::OfUser(ada), "four");
  REQUIRE_FALSE(fourth.ok());
  CHECK(fourth.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(fourth.error().message, Catch::Contains("3"));
  CHECK(store->CountCredentialsOfOwner(ada.id).value() == 3);

  // The limit is per user, and deleting a key makes room.
  MustCreate(bob, "four");
  REQUIRE(service.DeleteOwn(Principal::OfUser(ada), third.record.id).ok());
  MustCreate(ada, "four");
}

TEST_CASE_METHOD(KeyFixture, "ListOwn returns only the caller's keys in creation order", "[service]") {
  MustCreate(ada, "first");
  clock.Advance(1000);
  MustCreate(bob, "bobs");
  clock.Advance(1000);
  MustCreate(ada, "second");
  auto own = service.ListOwn(Principal::OfUser(ada));
  REQUIRE(own.ok());
  CHECK(Names(*own) == std::vector<std::string>{"first", "second"});
}

TEST_CASE_METHOD(KeyFixture, "GetOwn returns the caller's key", "[service]") {
  IssuedCredential issued = MustCreate(ada, "ci");
  auto got = service.GetOwn(Principal::OfUser(ada), issued.record.id);
  REQUIRE(got.ok());
  CHECK(got->client_id == issued.record.client_id);
  CHECK(got->name == "ci");
}

TEST_CASE_METHOD(KeyFixture, "another user's key looks exactly like a missing one", "[service]") {
  IssuedCredential adas = MustCreate(ada, "ci");
  const std::string& id = adas.record.id;

  auto get = service.GetOwn(Principal::OfUser(bob), id);
  REQUIRE_FALSE(get.ok());
  CHECK(get.error().code == ErrorCode::kNotFound);
  auto del = service.DeleteOwn(Principal::OfUser(bob), id);
  REQUIRE_FALSE(del.ok());
  CHECK(del.error().code == ErrorCode::kNotFound);
  auto regen = service.RegenerateOwn(Principal::OfUser(bob), id);
  REQUIRE_FALSE(regen.ok());
  CHECK(regen.error().code == ErrorCode::kNotFound);

  // Untouched: same record, same secret hash.
  auto stored = store->GetCredential(id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->secret_hash == adas.record.secret_hash);

  auto missing = service.GetOwn(Principal::OfUser(bob), keymint::crypto::NewUuidV4());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(KeyFixture, "a service account is not anyone's access key", "[service]") {
  auto account = AddServiceAccount("deployer", {"Editor"});
  CHECK(service.GetOwn(Principal::OfUser(ada), account.record.id).error().code == ErrorCode::kNotFound);
  CHECK(service.DeleteOwn(Principal::OfUser(ada), account.record.id).error().code == ErrorCode::kNotFound);
  CHECK(service.DeleteAny(account.record.id).error().code == ErrorCode::kNotFound);
  CHECK(store->GetCredential(account.record.id).value().has_value());
}

TEST_CASE_METHOD(KeyFixture, "DeleteOwn removes the key", "[service]") {
  IssuedCredential issued = MustCreate(ada, "ci");
  REQUIRE(service.DeleteOwn(Principal::OfUser(ada), issued.record.id).ok());
  CHECK(service.GetOwn(Principal::OfUser(ada), issued.record.id).error().code == ErrorCode::kNotFound);
  CHECK_FALSE(store->FindCredentialByClientId(issued.record.client_id).value().has_value());
  CHECK(service.DeleteOwn(Principal::OfUser(ada), issued.record.id).error().code == ErrorCode::kNotFound);
  MustCreate(ada, "ci");  // the name is free again
}

TEST_CASE_METHOD(KeyFixture, "RegenerateOwn replaces the secret and the old one stops working", "[service]") {
  auto tokens = MakeTokens();
  IssuedCredential issued = MustCreate(ada, "ci");
  REQUIRE(tokens->ExchangeClientCredentials(issued.record.client_id, issued.secret).ok());
  clock.Advance(5000);

  auto fresh = service.RegenerateOwn(Principal::OfUser(ada), issued.record.id);
  REQUIRE(fresh.ok());
  CHECK(*fresh != issued.secret);
  CHECK(keymint::crypto::IsWellFormedClientSecret(*fresh));

  auto stored = store->GetCredential(issued.record.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->secret_hash == hasher.Hash(*fresh));
  CHECK((*stored)->secret_hash != issued.record.secret_hash);
  CHECK((*stored)->client_id == issued.record.client_id);  // same client ID
  CHECK((*stored)->updated_at_ms == issued.record.created_at_ms + 5000);

  auto old_secret = tokens->ExchangeClientCredentials(issued.record.client_id, issued.secret);
  REQUIRE_FALSE(old_secret.ok());
  CHECK(old_secret.error().code == ErrorCode::kUnauthenticated);
  CHECK(tokens->ExchangeClientCredentials(issued.record.client_id, *fresh).ok());
}

TEST_CASE_METHOD(KeyFixture, "RegenerateOwn moves the key's generation on and leaves the owner's alone", "[service]") {
  IssuedCredential issued = MustCreate(ada, "ci");
  CHECK(issued.record.generation == 0);
  REQUIRE(service.RegenerateOwn(Principal::OfUser(ada), issued.record.id).ok());
  REQUIRE(service.RegenerateOwn(Principal::OfUser(ada), issued.record.id).ok());  // the same millisecond
  auto stored = store->GetCredential(issued.record.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->generation == 2);
  CHECK(store->GetUser(ada.id).value()->generation == 0);
  // Another user's key is NotFound and keeps its generation.
  IssuedCredential bobs = MustCreate(bob, "ci");
  CHECK(service.RegenerateOwn(Principal::OfUser(ada), bobs.record.id).error().code == ErrorCode::kNotFound);
  CHECK(store->GetCredential(bobs.record.id).value()->generation == 0);
}

TEST_CASE_METHOD(KeyFixture, "ListAll lists every user's keys and filters by client ID and creator", "[service]") {
  AccessKeyService roomy{*store, hasher, clock, 20};
  std::vector<keymint::WithSecret<AccessKey>> adas, bobs;
  for (int i = 0; i < 3; ++i) {
    adas.push_back(std::move(roomy.Create(Principal::OfUser(ada), "ada-" + std::to_string(i))).value());
    clock.Advance(10);
    bobs.push_back(std::move(roomy.Create(Principal::OfUser(bob), "bob-" + std::to_string(i))).value());
    clock.Advance(10);
  }
  AddServiceAccount("org", {"Editor"});  // never listed here

  auto all = roomy.ListAll(AccessKeyFilter{});
  REQUIRE(all.ok());
  CHECK(Names(*all) == std::vector<std::string>{"ada-0", "bob-0", "ada-1", "bob-1", "ada-2", "bob-2"});

  AccessKeyFilter by_client;
  by_client.client_id = bobs[1].value.client_id;
  auto one = roomy.ListAll(by_client);
  REQUIRE(one.ok());
  CHECK(Names(*one) == std::vector<std::string>{"bob-1"});

  AccessKeyFilter by_creator;
  by_creator.created_by = "ada@example.com";
  auto ada_keys = roomy.ListAll(by_creator);
  REQUIRE(ada_keys.ok());
  CHECK(Names(*ada_keys) == std::vector<std::string>{"ada-0", "ada-1", "ada-2"});

  by_creator.client_id = bobs[0].value.client_id;  // both filters: bob's key is not ada's
  auto none = roomy.ListAll(by_creator);
  REQUIRE(none.ok());
  CHECK(none->empty());
  by_creator.client_id = adas[2].value.client_id;
  auto both = roomy.ListAll(by_creator);
  REQUIRE(both.ok());
  CHECK(Names(*both) == std::vector<std::string>{"ada-2"});

  AccessKeyFilter unknown_creator;
  unknown_creator.created_by = "nobody@example.com";
  auto nobody = roomy.ListAll(unknown_creator);
  REQUIRE(nobody.ok());
  CHECK(nobody->empty());

  AccessKeyFilter unknown_client;
  unknown_client.client_id = "no-such-client";
  auto no_client = roomy.ListAll(unknown_client);
  REQUIRE(no_client.ok());
  CHECK(no_client->empty());
}

TEST_CASE_METHOD(KeyFixture, "ListAll pages with offset and limit", "[service]") {
  AccessKeyService roomy{*store, hasher, clock, 20};
  REQUIRE(roomy.Create(Principal::OfUser(ada), "adas").ok());
  for (int i = 0; i < 4; ++i) {
    clock.Advance(10);
    REQUIRE(roomy.Create(Principal::OfUser(bob), "k" + std::to_string(i)).ok());
  }
  AccessKeyFilter page;
  page.offset = 1;
  page.limit = 2;
  auto listed = roomy.ListAll(page);
  REQUIRE(listed.ok());
  CHECK(Names(*listed) == std::vector<std::string>{"k0", "k1"});

  page.created_by = "bob@example.com";
  listed = roomy.ListAll(page);
  REQUIRE(listed.ok());
  CHECK(Names(*listed) == std::vector<std::string>{"k1", "k2"});

  page.offset = 3;
  page.limit = 100;
  listed = roomy.ListAll(page);
  REQUIRE(listed.ok());
  CHECK(Names(*listed) == std::vector<std::string>{"k3"});

  page.offset = 4;
  listed = roomy.ListAll(page);
  REQUIRE(listed.ok());
  CHECK(listed->empty());
}

TEST_CASE_METHOD(KeyFixture, "DeleteAny removes any user's key", "[service]") {
  IssuedCredential issued = MustCreate(ada, "ci");
  REQUIRE(service.DeleteAny(issued.record.id).ok());
  CHECK_FALSE(store->GetCredential(issued.record.id).value().has_value());
  CHECK(service.DeleteAny(issued.record.id).error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(KeyFixture, "NewClientId draws distinct URL-safe IDs not in the store", "[service]") {
  std::vector<std::string> drawn;
  keymint::testing::Commit(*store, [&](keymint::StoreTransaction& tx) -> keymint::Status {
    drawn.clear();
    for (int i = 0; i < 1000; ++i) {
      ASSIGN_OR_RETURN(std::string id, keymint::NewClientId(tx));
      drawn.push_back(std::move(id));
    }
    return keymint::Status::Ok();
  });
  std::set<std::string> seen;
  for (const auto& id : drawn) {
    CHECK(id.size() == 24);
    CHECK(IsUrlSafe(id));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE_METHOD(KeyFixture, "Create refuses an owner deleted since the request was authenticated", "[service]") {
  UserRecord ghost = AddUser("ghost@example.com", {"Viewer"});
  Delete(ghost);
  auto created = service.Create(Principal::OfUser(ghost), "orphan");
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == keymint::ErrorCode::kNotFound);
  auto count = store->CountCredentialsOfOwner(ghost.id);
  REQUIRE(count.ok());
  CHECK(*count == 0);
}
