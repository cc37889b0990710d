#include "load/arrivals.hpp"

namespace keymint::load {

ArrivalSchedule::ArrivalSchedule(double rate, ArrivalProcess process, uint64_t seed)
    : interval_ns_(1e9 / rate), process_(process), random_(seed), gap_(1.0) {}

std::chrono::nanoseconds ArrivalSchedule::Next() {
  const auto now = std::chrono::nanoseconds(static_cast<int64_t>(next_ns_));
  next_ns_ += process_ == ArrivalProcess::kUniform ? interval_ns_ : interval_ns_ * gap_(random_);
  return now;
}

}  // namespace keymint::load
