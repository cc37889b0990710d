// A keymint::Clock whose time the test sets. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "keymint/common/clock.hpp"

namespace keymint::testing {

// 2023-11-14T22:13:20.250Z: a whole second plus 250 ms, so that tests see
// the rounding of iat/nbf/exp to whole seconds.
inline constexpr int64_t kDefaultNowMs = 1'700'000'000'250;

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_ms = kDefaultNowMs) : now_ms_(now_ms) {}
  int64_t NowMillis() const override { return now_ms_.load(); }
  void Set(int64_t now_ms) { now_ms_.store(now_ms); }
  void Advance(int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace keymint::testing
