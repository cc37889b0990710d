// What the last-login recorder's background flush costs per credential: the
// work keymint does every 250 ms for each credential that minted a token
// since the last flush (its lastLogin written, its usage read, merged and
// written back), on a real RocksDB store. Under load this thread shares the
// signing core, so its cost per key is taken from the token rate.
//
//   cmake --build build-release --target keymint_usage_flush_bench
//   build-release/bench/keymint_usage_flush_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// BM_FlushUsage/keys:N: N credentials each record one exchange, then one
// flush writes them; items/s is credentials flushed per second.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "keymint/crypto/random.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/store/store.hpp"

namespace {

using namespace keymint;

void BM_FlushUsage(benchmark::State& state) {
  char tmpl[] = "/tmp/keymint-usage-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    auto store = std::move(*OpenRocksDbStore(dir + "/db"));
    // A flush only when asked: the background thread's own would land inside the timing.
    LastLoginRecorder recorder(*store, std::chrono::hours(1));
    std::vector<std::string> ids;
    for (int64_t i = 0; i < state.range(0); ++i) ids.push_back(crypto::NewUuidV4());
    int64_t now_ms = 1796000000000;
    const std::string agent = "keymint-bench/0.1";
    auto record_all = [&] {
      ++now_ms;
      for (const auto& id : ids) recorder.RecordExchange(id, now_ms, "127.0.0.1", agent);
    };
    record_all();  // every usage record exists before timing, as on a running server
    (void)recorder.FlushPending();
    for (auto _ : state) {
      state.PauseTiming();
      record_all();
      state.ResumeTiming();
      if (!recorder.FlushPending().ok()) {
        state.SkipWithError("flush failed");
        break;
      }
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FlushUsage)->ArgName("keys")->Arg(250)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
