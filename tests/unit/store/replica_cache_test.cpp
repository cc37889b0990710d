// ReplicaCache: what it answers from memory, what the change feed evicts,
// and the freshness bound (keymint/store/replica_cache.hpp).
#include "keymint/store/replica_cache.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "unit/store/fake_shared_store.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/fake_clock.hpp"
#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint::testing {
namespace {

using std::chrono::milliseconds;

// The poll thread never wakes in a test's lifetime: the test polls (PollNow).
ReplicaCacheOptions ManualPolls() {
  ReplicaCacheOptions options;
  options.poll_interval = std::chrono::hours(1);
  return options;
}

std::unique_ptr<Store> OpenDb(const std::string& dir) {
  auto opened = OpenRocksDbStore(dir);
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// One replica's cache over a shared store holding a user and their key.
struct Replica {
  explicit Replica(ReplicaCacheOptions options = ManualPolls(), const Clock* clock_override = nullptr) {
    auto owned = std::make_unique<FakeSharedStore>(*db);
    shared = owned.get();
    shared->CommitElsewhere([&](StoreTransaction& tx) -> Status {
      RETURN_IF_ERROR(tx.CreateUser(ada));
      return tx.CreateCredential(key);
    });
    cache = std::make_unique<ReplicaCache>(std::move(owned), clock_override ? *clock_override : clock, options);
  }

  void Start() { REQUIRE(cache->Start().ok()); }
  void Poll() { REQUIRE(cache->PollNow().ok()); }
  std::optional<CredentialRecord> FindKey(const std::string& client_id) const {
    auto found = cache->FindCredentialByClientId(client_id, LastLoginField::kSkip);
    REQUIRE(found.ok());
    return *found;
  }
  std::optional<UserRecord> FindUser(const std::string& id) const {
    auto found = cache->GetUser(id, LastLoginField::kSkip);
    REQUIRE(found.ok());
    return *found;
  }
  // A new secret for the key, committed by another replica.
  CredentialRecord RegenerateElsewhere() {
    key.secret_hash = BinaryHash('z');
    ++key.generation;
    shared->CommitElsewhere([&](StoreTransaction& tx) { return tx.UpdateCredential(key); });
    return key;
  }

  TempDir dir{"replica-cache"};
  std::unique_ptr<Store> db = OpenDb(dir.Sub("db"));
  FakeClock clock;
  UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  FakeSharedStore* shared = nullptr;  // owned by cache
  std::unique_ptr<ReplicaCache> cache;
};

TEST_CASE("before Start every read goes to the store and nothing is kept", "[store]") {
  Replica replica;
  REQUIRE(replica.FindKey(replica.key.client_id));
  REQUIRE(replica.FindKey(replica.key.client_id));
  CHECK(replica.shared->point_reads() == 2);
  CHECK(replica.cache->CacheStatistics().entries == 0);
  CHECK_FALSE(replica.cache->CacheStatistics().freshness_age_ms);
  CHECK(replica.cache->PollNow().error().code == ErrorCode::kInternal);
}

TEST_CASE("a credential and its owner are read from the store once, then from memory", "[store]") {
  Replica replica;
  replica.Start();
  for (int i = 0; i < 3; ++i) {
    const auto found = replica.FindKey(replica.key.client_id);
    REQUIRE(found);
    CHECK(found->secret_hash == replica.key.secret_hash);
    CHECK_FALSE(found->last_login_ms);
    REQUIRE(replica.FindUser(replica.ada.id));
    CHECK(replica.FindUser(replica.ada.id)->roles == replica.ada.roles);
  }
  CHECK(replica.shared->point_reads() == 2);
  const ReplicaCacheStatistics statistics = replica.cache->CacheStatistics();
  CHECK(statistics.hits == 7);
  CHECK(statistics.misses == 2);
  CHECK(statistics.entries == 2);
  CHECK(statistics.freshness_age_ms == 0);
}

TEST_CASE("unknown client IDs, user ids and credential ids are remembered as unknown", "[store]") {
  Replica replica;
  replica.Start();
  for (int i = 0; i < 2; ++i) {
    CHECK_FALSE(replica.FindKey("no-such-client"));
    CHECK_FALSE(replica.FindUser(Uuid(99)));
    auto missing = replica.cache->GetCredential(Uuid(98));
    REQUIRE(missing.ok());
    CHECK_FALSE(*missing);
  }
  CHECK(replica.shared->point_reads() == 3);
  CHECK(replica.cache->CacheStatistics().entries == 3);

  SECTION("until a credential is created under that client ID and id elsewhere") {
    CredentialRecord created = MakeKey(98, replica.ada, "new", 3000);
    created.client_id = "no-such-client";
    Create(*replica.db, created);  // the store has it; the feed does not say so yet
    CHECK_FALSE(replica.FindKey("no-such-client"));
    replica.shared->Append(ChangeTable::kCredential, created.id, created.client_id);
    replica.Poll();
    CHECK(replica.FindKey("no-such-client"));
    auto found = replica.cache->GetCredential(Uuid(98));
    REQUIRE(found.ok());
    CHECK(*found);
  }
  SECTION("until that user is created elsewhere") {
    replica.shared->CommitElsewhere([&](StoreTransaction& tx) { return tx.CreateUser(MakeUser(99, "bo@x.io", 3000)); });
    replica.Poll();
    CHECK(replica.FindUser(Uuid(99)));
  }
}

TEST_CASE("a found GetCredential and kRead reads always go to the store: last logins are not in the feed", "[store]") {
  Replica replica;
  replica.Start();
  REQUIRE(replica.cache->RecordLastLogins({{replica.key.id, 5000}, {replica.ada.id, 6000}}).ok());
  for (int i = 0; i < 2; ++i) {
    auto by_id = replica.cache->GetCredential(replica.key.id);
    REQUIRE(by_id.ok());
    REQUIRE(*by_id);
    CHECK((*by_id)->last_login_ms == 5000);
    auto by_client_id = replica.cache->FindCredentialByClientId(replica.key.client_id, LastLoginField::kRead);
    REQUIRE(by_client_id.ok());
    CHECK((*by_client_id)->last_login_ms == 5000);
    auto user = replica.cache->GetUser(replica.ada.id, LastLoginField::kRead);
    REQUIRE(user.ok());
    CHECK((*user)->last_login_ms == 6000);
  }
  CHECK(replica.shared->point_reads() == 6);
  CHECK(replica.cache->CacheStatistics().entries == 0);
}

TEST_CASE("a secret regenerated on another replica is seen after the next poll", "[store]") {
  Replica replica;
  replica.Start();
  const std::string old_hash = replica.key.secret_hash;
  REQUIRE(replica.FindKey(replica.key.client_id)->secret_hash == old_hash);
  const CredentialRecord regenerated = replica.RegenerateElsewhere();
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == old_hash);  // not polled yet: within the bound
  replica.Poll();
  const auto found = replica.FindKey(replica.key.client_id);
  CHECK(found->secret_hash == regenerated.secret_hash);
  CHECK(found->generation == regenerated.generation);
}

TEST_CASE("a credential disabled or deleted on another replica stops being found as it was", "[store]") {
  Replica replica;
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id)->enabled);
  SECTION("disabled") {
    replica.key.enabled = false;
    replica.shared->CommitElsewhere([&](StoreTransaction& tx) { return tx.UpdateCredential(replica.key); });
    replica.Poll();
    CHECK_FALSE(replica.FindKey(replica.key.client_id)->enabled);
  }
  SECTION("deleted") {
    Delete(*replica.shared, replica.key);
    replica.Poll();
    CHECK_FALSE(replica.FindKey(replica.key.client_id));
  }
}

TEST_CASE("a user's roles changed on another replica are seen after the next poll", "[store]") {
  Replica replica;
  replica.Start();
  REQUIRE(replica.FindUser(replica.ada.id)->roles == std::vector<std::string>{"Viewer"});
  replica.ada.roles = {"Editor"};
  replica.shared->CommitElsewhere([&](StoreTransaction& tx) { return tx.UpdateUser(replica.ada); });
  replica.Poll();
  CHECK(replica.FindUser(replica.ada.id)->roles == std::vector<std::string>{"Editor"});
}

TEST_CASE("a gap in the feed forgets everything and tells the observer to reset", "[store]") {
  Replica replica;
  std::vector<std::pair<std::vector<Change>, bool>> seen;
  replica.cache->OnChanges([&](const std::vector<Change>& changes, bool reset) {
    seen.emplace_back(changes, reset);
    return Status::Ok();
  });
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  REQUIRE(replica.FindUser(replica.ada.id));
  REQUIRE(replica.cache->CacheStatistics().entries == 2);
  // Changes this replica never read, pruned: the next one it reads is beyond its cursor + 1.
  const uint64_t missed = replica.shared->Append(ChangeTable::kUser, Uuid(50));
  replica.shared->Append(ChangeTable::kUser, Uuid(51));
  replica.shared->PruneThrough(missed);
  replica.Poll();
  CHECK(replica.cache->CacheStatistics().entries == 0);
  CHECK(replica.cache->CacheStatistics().resets == 1);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].second);
  CHECK(seen[0].first.front().id == Uuid(51));
  // The cursor moved past the gap: the next poll is an ordinary one.
  replica.shared->Append(ChangeTable::kUser, Uuid(52));
  replica.Poll();
  REQUIRE(seen.size() == 2);
  CHECK_FALSE(seen[1].second);
  CHECK(replica.cache->CacheStatistics().resets == 1);
}

TEST_CASE("with the feed down the cache answers until max_staleness, then the store answers", "[store]") {
  Replica replica;  // max_staleness 1000 ms
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  replica.shared->SetFeedDown(true);
  replica.clock.Advance(600);
  CHECK(replica.cache->PollNow().error().code == ErrorCode::kUnavailable);
  replica.clock.Advance(400);  // 1000 ms after the last successful poll started
  REQUIRE(replica.FindKey(replica.key.client_id));
  CHECK(replica.shared->point_reads() == 1);

  // A change made meanwhile, which the failed poll did not see.
  const CredentialRecord regenerated = replica.RegenerateElsewhere();
  replica.clock.Advance(1);
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == regenerated.secret_hash);
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == regenerated.secret_hash);
  CHECK(replica.FindKey("no-such-client") == std::nullopt);
  CHECK(replica.shared->point_reads() == 4);             // stale: every read went to the store...
  CHECK(replica.cache->CacheStatistics().entries == 1);  // ...and kept nothing
  CHECK(replica.cache->CacheStatistics().failed_polls == 1);
  CHECK(replica.cache->CacheStatistics().freshness_age_ms == 1001);

  // Back up: the failed poll kept the cursor, so the change missed evicts the old record.
  replica.shared->SetFeedDown(false);
  replica.Poll();
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == regenerated.secret_hash);
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == regenerated.secret_hash);
  CHECK(replica.shared->point_reads() == 5);
}

TEST_CASE("a clock that goes back makes the cache stale until the next poll", "[store]") {
  Replica replica;
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  replica.clock.Advance(-1);
  REQUIRE(replica.FindKey(replica.key.client_id));
  CHECK(replica.shared->point_reads() == 2);
  replica.Poll();
  REQUIRE(replica.FindKey(replica.key.client_id));
  CHECK(replica.shared->point_reads() == 2);
}

TEST_CASE("a read that raced with an eviction does not keep what it read", "[store]") {
  Replica replica;
  replica.Start();
  const std::string old_hash = replica.key.secret_hash;
  // The store answers the old record; before the answer is kept, another
  // replica regenerates the key and this replica's poll evicts it.
  replica.shared->RunOnceAfterNextRead([&] {
    replica.RegenerateElsewhere();
    replica.Poll();
  });
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == old_hash);  // what the store said then
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == replica.key.secret_hash);
  CHECK(replica.shared->point_reads() == 2);
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == replica.key.secret_hash);
  CHECK(replica.shared->point_reads() == 2);
}

TEST_CASE("this replica's own writes are read back at once, without waiting for a poll", "[store]") {
  Replica replica;
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  REQUIRE_FALSE(replica.FindKey("client-11"));
  const CredentialRecord second = MakeKey(11, replica.ada, "second", 3000);
  SECTION("the poll after the write evicts what it wrote") {
    replica.key.secret_hash = BinaryHash('y');
    Update(*replica.cache, replica.key);
    Create(*replica.cache, second);
    CHECK(replica.cache->CacheStatistics().entries == 0);
  }
  SECTION("when the feed cannot be read after the write, the cache forgets everything") {
    replica.shared->SetFeedDown(true);
    replica.key.secret_hash = BinaryHash('y');
    Update(*replica.cache, replica.key);
    Create(*replica.cache, second);
    CHECK(replica.cache->CacheStatistics().entries == 0);
  }
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == BinaryHash('y'));
  CHECK(replica.FindKey("client-11"));
}

TEST_CASE("a token revoked on this replica reaches the observer at once", "[store]") {
  Replica replica;
  std::vector<Change> seen;
  replica.cache->OnChanges([&](const std::vector<Change>& changes, bool reset) {
    CHECK_FALSE(reset);
    seen.insert(seen.end(), changes.begin(), changes.end());
    return Status::Ok();
  });
  replica.Start();
  REQUIRE(replica.cache->AddRevokedToken({"jti-1", 9000}).ok());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].table == ChangeTable::kRevokedToken);
  CHECK(seen[0].id == "jti-1");
}

TEST_CASE("the observer is called after the batch's keys are evicted, one call per read of the feed", "[store]") {
  Replica replica;
  std::vector<std::size_t> batch_sizes;
  std::vector<uint64_t> entries_seen;
  replica.cache->OnChanges([&](const std::vector<Change>& changes, bool /*reset*/) {
    batch_sizes.push_back(changes.size());
    entries_seen.push_back(replica.cache->CacheStatistics().entries);
    return Status::Ok();
  });
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  replica.RegenerateElsewhere();
  for (int i = 0; i < 2500; ++i) replica.shared->Append(ChangeTable::kUser, Uuid(1000 + i));
  replica.Poll();
  CHECK(batch_sizes == std::vector<std::size_t>{1000, 1000, 501});
  CHECK(entries_seen == std::vector<uint64_t>{0, 0, 0});
  replica.Poll();
  CHECK(batch_sizes.size() == 3);  // drained: nothing new
}

TEST_CASE("at most max_entries answers are kept, the least recently used making room", "[store]") {
  ReplicaCacheOptions options = ManualPolls();
  options.max_entries = 32;
  Replica replica(options);
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  for (int i = 0; i < 500; ++i) {
    CHECK_FALSE(replica.FindKey("unknown-" + std::to_string(i)));
    REQUIRE(replica.FindKey(replica.key.client_id));  // in use all along: never the least recent
    CHECK(replica.cache->CacheStatistics().entries <= 32);
  }
  CHECK(replica.cache->CacheStatistics().entries > 16);
  CHECK(replica.shared->point_reads() == 501);
}

TEST_CASE("max_entries 0 keeps nothing", "[store]") {
  ReplicaCacheOptions options = ManualPolls();
  options.max_entries = 0;
  Replica replica(options);
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  REQUIRE(replica.FindKey(replica.key.client_id));
  CHECK(replica.shared->point_reads() == 2);
}

TEST_CASE("a long unknown key is not remembered: the caller chose its bytes", "[store]") {
  Replica replica;
  replica.Start();
  const std::string long_id(ReplicaCache::kMaxMissingKeyBytes + 1, 'x');
  for (int i = 0; i < 2; ++i) {
    CHECK_FALSE(replica.FindKey(long_id));
    CHECK_FALSE(replica.FindUser(long_id));
  }
  CHECK(replica.shared->point_reads() == 4);
  CHECK(replica.cache->CacheStatistics().entries == 0);
}

TEST_CASE("Start fails while the feed cannot be read, and may be tried again", "[store]") {
  Replica replica;
  replica.shared->SetFeedDown(true);
  CHECK(replica.cache->Start().error().code == ErrorCode::kUnavailable);
  replica.shared->SetFeedDown(false);
  replica.Start();
  CHECK(replica.cache->Start().error().code == ErrorCode::kInternal);
}

TEST_CASE("Start reads from where the feed is: older changes evict nothing", "[store]") {
  Replica replica;  // the user and key are changes 1 and 2
  std::vector<Change> seen;
  replica.cache->OnChanges([&](const std::vector<Change>& changes, bool /*reset*/) {
    seen.insert(seen.end(), changes.begin(), changes.end());
    return Status::Ok();
  });
  replica.Start();
  replica.Poll();
  CHECK(seen.empty());
}

TEST_CASE("the poll thread evicts a change within a few poll intervals", "[store]") {
  ReplicaCacheOptions options;
  options.poll_interval = milliseconds(20);
  Replica replica(options);  // the fake clock stands still: the cache stays fresh
  replica.Start();
  REQUIRE(replica.FindKey(replica.key.client_id));
  const CredentialRecord regenerated = replica.RegenerateElsewhere();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (replica.FindKey(replica.key.client_id)->secret_hash != regenerated.secret_hash &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  CHECK(replica.FindKey(replica.key.client_id)->secret_hash == regenerated.secret_hash);
  replica.cache->Stop();
  replica.cache->Stop();  // idempotent
}

TEST_CASE("with real threads, a key regenerated elsewhere is refused within max_staleness and a margin", "[store]") {
  // The defaults (1 s bound, polls every 250 ms) on the wall clock; a reader
  // thread on the token path while another replica regenerates the key.
  SystemClock wall_clock;
  Replica replica(ReplicaCacheOptions{}, &wall_clock);
  replica.Start();
  using Steady = std::chrono::steady_clock;
  const auto bound = milliseconds(1000) + milliseconds(1500);  // max_staleness + a margin for a loaded machine
  constexpr int kRegenerations = 8;
  // committed_at[g]: when generation g was in the feed (steady ns); max until then.
  std::vector<std::atomic<int64_t>> committed_at(kRegenerations + 1);
  for (auto& at : committed_at) at = std::numeric_limits<int64_t>::max();
  committed_at[0] = Steady::now().time_since_epoch().count();
  std::atomic<bool> writer_done{false};
  std::atomic<int> failures{0};
  std::atomic<int> stale_beyond_bound{0};
  std::atomic<int> reads{0};

  std::thread reader([&] {
    const auto bound_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(bound).count();
    while (!writer_done) {
      const int64_t before = Steady::now().time_since_epoch().count();
      auto found = replica.cache->FindCredentialByClientId(replica.key.client_id, LastLoginField::kSkip);
      if (!found.ok() || !*found) {
        ++failures;
        continue;
      }
      ++reads;
      // Every generation in the feed longer ago than the bound must be seen.
      for (int g = kRegenerations; g > 0; --g) {
        const int64_t at = committed_at[g].load();
        if (at != std::numeric_limits<int64_t>::max() && before - at > bound_ns) {
          if ((*found)->generation < static_cast<uint64_t>(g)) ++stale_beyond_bound;
          break;
        }
      }
    }
  });
  CredentialRecord key = replica.key;
  for (int g = 1; g <= kRegenerations; ++g) {
    key.generation = static_cast<uint64_t>(g);
    key.secret_hash = BinaryHash(static_cast<char>('a' + g));
    if (!replica.shared->RunTransaction([&](StoreTransaction& tx) { return tx.UpdateCredential(key); }).ok()) {
      ++failures;
    }
    committed_at[g] = Steady::now().time_since_epoch().count();
    std::this_thread::sleep_for(milliseconds(150));
  }
  // Then the reader goes on until the last generation is past the bound.
  std::this_thread::sleep_until(Steady::time_point(Steady::duration(committed_at[kRegenerations].load())) + bound +
                                milliseconds(100));
  writer_done = true;
  reader.join();
  CHECK(failures == 0);
  CHECK(stale_beyond_bound == 0);
  CHECK(reads > 100);
  const auto last = replica.cache->FindCredentialByClientId(replica.key.client_id, LastLoginField::kSkip);
  REQUIRE(last.ok());
  CHECK((*last)->generation == kRegenerations);
  CHECK(replica.cache->CacheStatistics().hits > 0);
}

}  // namespace
}  // namespace keymint::testing

namespace keymint::testing {

TEST_CASE("an observer that fails holds the cursor: the batch is read and observed again", "[store]") {
  Replica replica;
  int calls = 0;
  bool fail = true;
  std::vector<Change> observed;
  replica.cache->OnChanges([&](const std::vector<Change>& changes, bool /*reset*/) -> Status {
    ++calls;
    if (fail) return Error::Unavailable("the deny list could not be reloaded");
    observed.insert(observed.end(), changes.begin(), changes.end());
    return Status::Ok();
  });
  replica.Start();
  replica.shared->Append(ChangeTable::kRevokedToken, "jti-elsewhere");
  CHECK_FALSE(replica.cache->PollNow().ok());
  CHECK_FALSE(replica.cache->PollNow().ok());
  CHECK(calls == 2);
  CHECK(replica.cache->CacheStatistics().failed_polls == 2);
  fail = false;
  REQUIRE(replica.cache->PollNow().ok());
  REQUIRE(observed.size() == 1);
  CHECK(observed[0].id == "jti-elsewhere");
  REQUIRE(replica.cache->PollNow().ok());
  CHECK(calls == 3);  // read once it succeeded
}

}  // namespace keymint::testing
