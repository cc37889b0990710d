// What the store conformance suite (store_conformance_*_test.cpp) shares: the
// backends it runs against, a scratch store of one backend, and records to
// put in it.
//
// Every test is a TEMPLATE_TEST_CASE over KEYMINT_STORE_BACKENDS and runs
// once per backend, named after it ("... - RocksDb"). To add a backend, give
// it a struct below and add that to the list. A test opens its store with
// KEYMINT_SCRATCH_STORE, which ends it (passing, with a message) when the
// backend cannot run here. The "... - Postgres" tests need the CTest fixture
// "postgres" (tests/CMakeLists.txt).
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "keymint/store/local_store_cache.hpp"
#include "keymint/store/postgres_store.hpp"
#include "keymint/store/store.hpp"
#include "unit/store/postgres_test_server.hpp"
#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint::testing {

// A backend under test. Open(place) opens the store kept at `place` (a
// scratch directory the test owns and removes afterwards), creating it when
// there is none; opening the same place again must find what was committed.
struct RocksDb {
  static bool Available() { return true; }
  static Result<std::unique_ptr<Store>> Open(const std::string& place) { return OpenRocksDbStore(place); }
};

// The store in a database of the tests' PostgreSQL server named after `place`.
struct Postgres {
  static bool Available() { return PostgresServerUrl().has_value(); }
  static Result<std::unique_ptr<Store>> Open(const std::string& place) {
    auto opened = OpenPostgresStore(EnsureDatabase(*PostgresServerUrl(), DatabaseNameFor(place)));
    if (!opened.ok()) return std::move(opened).error();
    return std::unique_ptr<Store>(std::move(opened).value());
  }
};

// The embedded store behind the cache keymint serves it through
// (keymint/store/local_store_cache.hpp), which must behave as the store does.
struct CachedRocksDb {
  static bool Available() { return true; }
  static Result<std::unique_ptr<Store>> Open(const std::string& place) {
    auto opened = OpenRocksDbStore(place);
    if (!opened.ok()) return std::move(opened).error();
    return std::unique_ptr<Store>(std::make_unique<LocalStoreCache>(std::move(opened).value(), 1000));
  }
};

#define KEYMINT_STORE_BACKENDS RocksDb, CachedRocksDb, Postgres

// Declares `name`, a ScratchStore of the test's backend (TestType), or
// returns from the test when that backend cannot run here.
#define KEYMINT_SCRATCH_STORE(name)   \
  if (!TestType::Available()) {       \
    std::printf("%s\n", kNoPostgres); \
    return;                           \
  }                                   \
  ScratchStore name(TestType::Open)

// A scratch store of one backend, which a test may close and open again.
class ScratchStore {
 public:
  using Opener = Result<std::unique_ptr<Store>> (*)(const std::string& place);

  explicit ScratchStore(Opener open) : open_(open) { Open(); }

  Store& operator*() const { return *store_; }
  Store* operator->() const { return store_.get(); }

  // Closes the store and opens it again at the same place.
  void Reopen() {
    store_.reset();
    Open();
  }

 private:
  void Open() {
    auto opened = open_(dir_.Sub("store"));
    INFO((opened.ok() ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    store_ = std::move(opened).value();
  }

  TempDir dir_{"store"};
  Opener open_;
  std::unique_ptr<Store> store_;
};

// A UUID-shaped id, distinct per n.
inline std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

inline UserRecord MakeUser(int n, std::string email, int64_t created_ms, std::vector<std::string> roles = {"Viewer"}) {
  UserRecord user;
  user.id = Uuid(n);
  user.email = std::move(email);
  user.password_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaC0" + std::to_string(n);
  user.roles = std::move(roles);
  user.created_by = "keymint";
  user.created_at_ms = user.updated_at_ms = created_ms;
  return user;
}

// A 32-byte hash with bytes that are not text.
inline std::string BinaryHash(char seed) {
  std::string hash(32, seed);
  hash[0] = '\0';
  hash[31] = '\xff';
  return hash;
}

inline CredentialRecord MakeKey(int n, const UserRecord& owner, std::string name, int64_t created_ms) {
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

inline CredentialRecord MakeServiceAccount(int n, std::string name, int64_t created_ms) {
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

inline std::vector<std::string> List(const Store& store, const CredentialQuery& query) {
  auto listed = store.ListCredentials(query);
  REQUIRE(listed.ok());
  return Ids(*listed);
}

inline CredentialQuery OwnerQuery(const UserRecord& owner) {
  CredentialQuery query;
  query.owner_id = owner.id;
  return query;
}

inline CredentialQuery KindQuery(CredentialKind kind) {
  CredentialQuery query;
  query.kind = kind;
  return query;
}

// Runs `work(i)` for i in [0, threads) on that many threads, released at once.
template <typename Work>
void RunConcurrently(int threads, Work work) {
  std::latch start(threads);
  std::vector<std::thread> running;
  for (int i = 0; i < threads; ++i) {
    running.emplace_back([&, i] {
      start.arrive_and_wait();
      work(i);
    });
  }
  for (auto& t : running) t.join();
}

}  // namespace keymint::testing
