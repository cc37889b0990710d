// LocalStoreCache: the token path's reads from memory in front of the
// embedded store, and every write forgetting them before it returns
// (keymint/store/local_store_cache.hpp). The conformance suite also runs
// through it (CachedRocksDb in store_conformance.hpp).
#include "keymint/store/local_store_cache.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>

#include "store/cached_reads.hpp"
#include "unit/store/fake_shared_store.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint::testing {
namespace {

// A user and their key in RocksDB, behind the cache.
struct Fixture {
  Fixture() {
    auto opened = OpenRocksDbStore(dir.Sub("db"));
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    // The fake shared store counts the point reads that reach RocksDB and can
    // run a hook in the middle of one; its change feed goes unread here.
    auto counting = std::make_unique<FakeSharedStore>(*db);
    store = counting.get();
    cache = std::make_unique<LocalStoreCache>(std::move(counting), 100);
    REQUIRE(cache
                ->RunTransaction([&](StoreTransaction& tx) -> Status {
                  RETURN_IF_ERROR(tx.CreateUser(ada));
                  return tx.CreateCredential(key);
                })
                .ok());
  }

  std::optional<CredentialRecord> FindKey(const std::string& client_id,
                                          LastLoginField field = LastLoginField::kSkip) const {
    auto found = cache->FindCredentialByClientId(client_id, field);
    REQUIRE(found.ok());
    return *found;
  }
  std::optional<UserRecord> FindUser(const std::string& id) const {
    auto found = cache->GetUser(id, LastLoginField::kSkip);
    REQUIRE(found.ok());
    return *found;
  }
  // A new secret for the key, as regenerating it does.
  Status Regenerate(char seed) {
    key.secret_hash = BinaryHash(seed);
    ++key.generation;
    return cache->RunTransaction([&](StoreTransaction& tx) { return tx.UpdateCredential(key); });
  }

  TempDir dir{"local-store-cache"};
  std::unique_ptr<Store> db;
  FakeSharedStore* store = nullptr;  // owned by cache
  std::unique_ptr<LocalStoreCache> cache;
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
};

TEST_CASE("LocalStoreCache reads a credential and its owner from the store once, then from memory", "[store]") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    const auto found = f.FindKey(f.key.client_id);
    REQUIRE(found);
    CHECK(found->secret_hash == f.key.secret_hash);
    const auto owner = f.FindUser(f.ada.id);
    REQUIRE(owner);
    CHECK(owner->roles == f.ada.roles);
  }
  CHECK(f.store->point_reads() == 2);
  const StoreCacheStatistics statistics = f.cache->CacheStatistics();
  CHECK(statistics.hits == 4);
  CHECK(statistics.misses == 2);
  CHECK(statistics.entries == 2);
}

TEST_CASE("LocalStoreCache sends reads of last logins, and found credentials by id, to the store", "[store]") {
  Fixture f;
  REQUIRE(f.cache->RecordLastLogins({{f.key.id, 5000}}).ok());
  for (int i = 0; i < 2; ++i) {
    const auto found = f.FindKey(f.key.client_id, LastLoginField::kRead);
    REQUIRE(found);
    CHECK(found->last_login_ms == 5000);
    auto by_id = f.cache->GetCredential(f.key.id);
    REQUIRE(by_id.ok());
    REQUIRE(*by_id);
    CHECK((*by_id)->last_login_ms == 5000);
  }
  CHECK(f.store->point_reads() == 4);
  CHECK(f.cache->CacheStatistics().entries == 0);
}

TEST_CASE("LocalStoreCache remembers unknown keys, but not long ones", "[store]") {
  Fixture f;
  const std::string long_id(store_cache::CachedReads::kMaxMissingKeyBytes + 1, 'x');
  for (int i = 0; i < 2; ++i) {
    CHECK_FALSE(f.FindKey("no-such-client"));
    CHECK_FALSE(f.FindUser(Uuid(99)));
    auto missing = f.cache->GetCredential(Uuid(98));
    REQUIRE(missing.ok());
    CHECK_FALSE(*missing);
    CHECK_FALSE(f.FindKey(long_id));
  }
  CHECK(f.store->point_reads() == 3 + 2);  // the long key both times
  CHECK(f.cache->CacheStatistics().entries == 3);
}

TEST_CASE("LocalStoreCache: once a write returns, no read answers what it replaced", "[store]") {
  Fixture f;
  REQUIRE(f.FindKey(f.key.client_id));
  REQUIRE(f.FindUser(f.ada.id));
  CHECK_FALSE(f.FindKey("created-later"));

  SECTION("a regenerated secret") {
    REQUIRE(f.Regenerate('r').ok());
    CHECK(f.FindKey(f.key.client_id)->secret_hash == BinaryHash('r'));
  }
  SECTION("a deleted key and its owner") {
    REQUIRE(f.cache->RunTransaction([&](StoreTransaction& tx) { return tx.DeleteUser(f.ada.id); }).ok());
    CHECK_FALSE(f.FindKey(f.key.client_id));
    CHECK_FALSE(f.FindUser(f.ada.id));
  }
  SECTION("a client ID that was unknown") {
    CredentialRecord later = MakeKey(11, f.ada, "later", 3000);
    later.client_id = "created-later";
    REQUIRE(f.cache->RunTransaction([&](StoreTransaction& tx) { return tx.CreateCredential(later); }).ok());
    REQUIRE(f.FindKey("created-later"));
    CHECK(f.FindKey("created-later")->id == later.id);
  }
  SECTION("changed roles") {
    f.ada.roles = {"System administrator"};
    REQUIRE(f.cache->RunTransaction([&](StoreTransaction& tx) { return tx.UpdateUser(f.ada); }).ok());
    CHECK(f.FindUser(f.ada.id)->roles == f.ada.roles);
  }
}

TEST_CASE("LocalStoreCache forgets everything after a failed transaction too", "[store]") {
  Fixture f;
  REQUIRE(f.FindKey(f.key.client_id));
  const int reads = f.store->point_reads();
  CHECK_FALSE(f.cache->RunTransaction([](StoreTransaction&) { return Status(Error::AlreadyExists("refused")); }).ok());
  CHECK(f.cache->CacheStatistics().entries == 0);
  REQUIRE(f.FindKey(f.key.client_id));
  CHECK(f.store->point_reads() == reads + 1);
}

TEST_CASE("LocalStoreCache keeps nothing from a read that a write overtook", "[store]") {
  Fixture f;
  // The store answers the old secret; before the cache can keep it, a
  // regeneration commits and returns (another request's thread, in life).
  f.store->RunOnceAfterNextRead([&] { REQUIRE(f.Regenerate('n').ok()); });
  const auto raced = f.FindKey(f.key.client_id);
  REQUIRE(raced);
  CHECK(raced->secret_hash != BinaryHash('n'));  // what the store said when asked
  INFO("the next read must not be answered with the replaced secret");
  CHECK(f.FindKey(f.key.client_id)->secret_hash == BinaryHash('n'));
}

}  // namespace
}  // namespace keymint::testing
