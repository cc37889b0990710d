// Concurrent management writes: access keys created through AccessKeyService
// (owner check, name check, count check, client-ID draw and a synced commit,
// all one store transaction) by 1 to 8 threads at once.
//
//   cmake --build build --target keymint_store_bench
//   build/bench/keymint_store_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// BM_CreateKeys/shared:0: each thread fills its own owners' keys (20 per
// owner, the default limit), as independent users would.
// BM_CreateKeys/shared:1: the threads fill one owner at a time together,
// contending for that owner's count.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/store/store.hpp"

namespace {

using namespace keymint;

constexpr int kKeysPerOwner = 20;
constexpr int kIterations = 200;  // creates per thread

struct World {
  std::string dir;
  std::unique_ptr<Store> store;
  crypto::SecretHasher hasher{crypto::RandomBytes(32)};
  SystemClock clock;
  std::unique_ptr<AccessKeyService> keys;
  std::vector<UserRecord> owners;
  std::atomic<int> next_key{0};

  explicit World(int owners_needed) {
    char tmpl[] = "/tmp/keymint-store-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*OpenRocksDbStore(dir + "/db"));
    keys = std::make_unique<AccessKeyService>(*store, hasher, clock, kKeysPerOwner);
    for (int i = 0; i < owners_needed; ++i) {
      UserRecord owner{crypto::NewUuidV4(), "user" + std::to_string(i) + "@example.com", "x", {"Viewer"}, "bench", 0, 0,
                       std::nullopt};
      (void)store->RunTransaction([&](StoreTransaction& tx) { return tx.CreateUser(owner); });
      owners.push_back(std::move(owner));
    }
  }
  ~World() {
    keys.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

World* world = nullptr;

void SetUp(const benchmark::State& state) { world = new World(state.threads() * kIterations / kKeysPerOwner); }

void TearDown(const benchmark::State&) {
  delete world;
  world = nullptr;
}

void BM_CreateKeys(benchmark::State& state) {
  const bool shared = state.range(0) == 1;
  int made = 0;
  for (auto _ : state) {
    // Spread: this thread's own run of owners. Shared: whichever owner the
    // threads are filling together.
    const int n = shared ? world->next_key++ : state.thread_index() * kIterations + made;
    const UserRecord& owner = world->owners[n / kKeysPerOwner];
    auto created = world->keys->Create(Principal::OfUser(owner), "key-" + std::to_string(n));
    if (!created.ok()) {
      state.SkipWithError(created.error().message.c_str());
      break;
    }
    ++made;
  }
  state.SetItemsProcessed(made);
}
BENCHMARK(BM_CreateKeys)
    ->ArgName("shared")
    ->Arg(0)
    ->Arg(1)
    ->ThreadRange(1, 8)
    ->Iterations(kIterations)
    ->UseRealTime()
    ->Setup(SetUp)
    ->Teardown(TearDown)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
