// When an open-loop run means to send each request: a fixed schedule drawn up
// front from the offered rate, independent of how fast answers come back. A
// request's latency is then measured from its slot in this schedule, so a
// stalled server is charged for every request it kept waiting (no coordinated
// omission), not only for the one in flight.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace keymint::load {

enum class ArrivalProcess {
  kPoisson,  // exponential gaps: independent clients, as real traffic arrives
  kUniform,  // equal gaps: a metronome, easiest to reason about
};

class ArrivalSchedule {
 public:
  // `rate` requests per second (> 0) starting at offset 0; `seed` makes a
  // Poisson schedule reproducible.
  ArrivalSchedule(double rate, ArrivalProcess process, uint64_t seed);

  // The offset of the next arrival from the start; each call moves on by one.
  std::chrono::nanoseconds Next();

 private:
  double interval_ns_;
  ArrivalProcess process_;
  double next_ns_ = 0;
  std::mt19937_64 random_;
  std::exponential_distribution<double> gap_;
};

}  // namespace keymint::load
