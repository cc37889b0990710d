// keymint_cpu_stalls: how often this core is taken away from a running
// thread, the floor under any latency percentile measured on it. Spins on the
// clock for a fixed time and counts the gaps between two readings longer than
// 0.5, 1 and 2 ms: on an idle core those are the kernel's and, on a virtual
// machine, the hypervisor's (another guest's vCPU on the same physical core).
// A server pinned to the core is stalled just as long, with requests queuing.
//
//   taskset -c 0 keymint_cpu_stalls [--seconds S]
// Prints one JSON object: {"seconds","over_0_5_ms","over_1_ms","over_2_ms",
// "stalled_ms","max_ms"} (stalled_ms: the gaps over 0.5 ms added up).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

int main(int argc, char** argv) {
  double seconds = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--seconds" && i + 1 < argc) {
      seconds = std::strtod(argv[++i], nullptr);
    } else {
      std::fputs("usage: keymint_cpu_stalls [--seconds S]\n", stderr);
      return 2;
    }
  }
  if (!(seconds > 0 && seconds <= 3600)) {
    std::fputs("keymint_cpu_stalls: --seconds must be in (0, 3600]\n", stderr);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  using std::chrono::duration;
  const auto start = Clock::now();
  const auto end = start + duration<double>(seconds);
  auto last = start;
  long over_half = 0, over_one = 0, over_two = 0;
  double stalled_ms = 0, max_ms = 0;
  for (auto now = start; now < end; now = Clock::now()) {
    const double gap_ms = duration<double, std::milli>(now - last).count();
    last = now;
    if (gap_ms > max_ms) max_ms = gap_ms;
    if (gap_ms <= 0.5) continue;
    ++over_half;
    stalled_ms += gap_ms;
    if (gap_ms > 1) ++over_one;
    if (gap_ms > 2) ++over_two;
  }
  std::printf(
      "{\"seconds\":%.3f,\"over_0_5_ms\":%ld,\"over_1_ms\":%ld,\"over_2_ms\":%ld,\"stalled_ms\":%.2f,\"max_ms\":%.2f}"
      "\n",
      seconds, over_half, over_one, over_two, stalled_ms, max_ms);
  return 0;
}
