// Store conformance: credential usage and the revoked-token deny list, as
// every backend must keep them (keymint/store/store.hpp).
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "keymint/store/store.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/store_writes.hpp"

namespace keymint::testing {
namespace {

CredentialUsage SampleUsage(const std::string& id) {
  CredentialUsage usage;
  usage.id = id;
  usage.total_tokens = 7;
  usage.days = {{20000, 3}, {20001, 4}};
  usage.last_used_ms = 1'728'000'123'456;
  usage.last_source = "127.0.0.1";
  usage.last_user_agent = "curl/8.0";
  usage.last_failed_ms = 1'728'000'000'000;
  return usage;
}

// A merge that replaces the stored record with the delta.
void Replace(CredentialUsage& stored, const CredentialUsage& delta) { stored = delta; }

// A merge that adds the delta's tokens to the stored record's.
void AddTokens(CredentialUsage& stored, const CredentialUsage& delta) { stored.total_tokens += delta.total_tokens; }

}  // namespace

TEMPLATE_TEST_CASE("usage is kept by credential id, replaced on write, and deleted with its credential", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);

  auto none = store->GetUsage(key.id);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  CredentialUsage usage = SampleUsage(key.id);
  REQUIRE(store->UpdateUsage({usage}, Replace).ok());
  CHECK(**store->GetUsage(key.id) == usage);
  usage.total_tokens = 8;
  REQUIRE(store->UpdateUsage({usage}, Replace).ok());
  CHECK((*store->GetUsage(key.id))->total_tokens == 8);
  store.Reopen();
  CHECK(**store->GetUsage(key.id) == usage);

  Delete(*store, key);
  CHECK_FALSE(store->GetUsage(key.id)->has_value());
}

TEMPLATE_TEST_CASE("usage updates merge each delta into the stored record, also for a credential never used", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  const CredentialRecord other = MakeKey(11, ada, "cd", 2001);
  Create(*store, ada);
  Create(*store, key);
  Create(*store, other);

  CredentialUsage delta;
  delta.id = key.id;
  delta.total_tokens = 2;
  REQUIRE(store->UpdateUsage({delta}, AddTokens).ok());
  CHECK((*store->GetUsage(key.id))->total_tokens == 2);
  CredentialUsage other_delta = delta;
  other_delta.id = other.id;
  REQUIRE(store->UpdateUsage({delta, other_delta, delta}, AddTokens).ok());  // the same id twice: both count
  CHECK((*store->GetUsage(key.id))->total_tokens == 6);
  CHECK((*store->GetUsage(other.id))->total_tokens == 2);
  CHECK((*store->GetUsage(other.id))->id == other.id);
  REQUIRE(store->UpdateUsage({}, AddTokens).ok());
}

TEMPLATE_TEST_CASE("usage updates from many threads at once lose no count", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);
  constexpr int kThreads = 4, kUpdates = 10;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      CredentialUsage delta;
      delta.id = key.id;
      delta.total_tokens = 1;
      for (int i = 0; i < kUpdates; ++i) {
        if (!store->UpdateUsage({delta}, AddTokens).ok()) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK((*store->GetUsage(key.id))->total_tokens == kThreads * kUpdates);
}

TEMPLATE_TEST_CASE("deleting a user deletes the usage of the keys they own", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);
  REQUIRE(store->UpdateUsage({SampleUsage(key.id)}, Replace).ok());
  Delete(*store, ada);
  CHECK_FALSE(store->GetUsage(key.id)->has_value());
}

TEMPLATE_TEST_CASE("revoked tokens are listed, pruned once expired, and survive a reopen", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  REQUIRE(store->AddRevokedToken({"jti-a", 1000}).ok());
  REQUIRE(store->AddRevokedToken({"jti-b", 5000}).ok());
  REQUIRE(store->AddRevokedToken({"jti-b", 6000}).ok());  // replaces the expiry
  auto listed = store->ListRevokedTokens();
  REQUIRE(listed.ok());
  CHECK(*listed == std::vector<RevokedToken>{{"jti-a", 1000}, {"jti-b", 6000}});

  store.Reopen();
  CHECK(store->ListRevokedTokens()->size() == 2);
  auto pruned = store->PruneRevokedTokens(1000);  // those expiring at or before now
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(*store->ListRevokedTokens() == std::vector<RevokedToken>{{"jti-b", 6000}});
  CHECK(*store->PruneRevokedTokens(1000) == 0);
}

}  // namespace keymint::testing
