// Counts failed attempts per key (a client ID, a username, a source address)
// and says when a key has failed too often, so that guessing is slowed to a
// set rate while everyone else is untouched.
//
// Each key is a GCRA ("generic cell rate") bucket held as one timestamp: a
// failure pushes the key's theoretical arrival time (TAT) one interval
// (1 / refill rate) past max(TAT, now); the key is throttled while TAT lies
// more than (burst - 1) intervals ahead of now. So `burst` failures back to
// back throttle it, and from then on one more is allowed per interval.
//
// Memory is fixed at construction: a table of `capacity` slots in sets of
// four (one cache line), each slot one 64-bit word holding a 24-bit key
// fingerprint and the TAT. Keys are placed by a keyed hash, so nobody can aim
// keys at one set. A new key takes a free slot of its set, else the slot with
// the earliest TAT: keys sprayed once (a million random client IDs) evict each
// other, while a key under sustained attack, whose TAT is far ahead, stays.
// An evicted key starts afresh; two keys whose fingerprints collide in one set
// (about 1 in 4 million per lookup) share a bucket. Both are acceptable for a
// rate limiter, and neither can be caused on purpose.
//
// RetryAfterMillis is lock-free and writes nothing, so it can sit on the token
// path; RecordFailure, TryCharge and Refund update one word with
// compare-and-swap. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "keymint/common/clock.hpp"

namespace keymint {

struct ThrottleLimit {
  int burst = 10;           // failures accepted back to back before the key is throttled
  double per_minute = 6.0;  // failures per minute allowed after the burst; 0 turns this throttle off
};

class FailureThrottle {
 public:
  // `capacity` is rounded up to a power of two, at least one set. `clock`
  // must outlive the throttle.
  FailureThrottle(ThrottleLimit limit, std::size_t capacity, const Clock& clock);

  // 0 when `key` may try now; otherwise how long until it may, in ms (≥ 1).
  int64_t RetryAfterMillis(std::string_view key) const;
  // Counts one failure of `key`.
  void RecordFailure(std::string_view key);
  // Atomically: when `key` may try now, counts the attempt as a failure in
  // advance and returns 0; otherwise returns RetryAfterMillis and counts
  // nothing. For slow checks (a password KDF), so that many attempts started
  // at once cannot all pass before the first of them fails. Refund() a
  // charged attempt that succeeded.
  int64_t TryCharge(std::string_view key);
  // Takes back one charged attempt of `key` (it succeeded, or never ran).
  void Refund(std::string_view key);

  bool enabled() const { return interval_ms_ > 0; }
  // Slots, 8 bytes each, fixed for the throttle's life.
  std::size_t capacity() const { return slot_count_; }

 private:
  struct Place;
  Place Locate(std::string_view key) const;
  int64_t Charge(std::string_view key, bool only_if_allowed);
  int64_t NowMillis() const;

  const Clock& clock_;
  const int64_t interval_ms_;   // one failure's worth of time; 0 = disabled
  const int64_t tolerance_ms_;  // (burst - 1) × interval
  const int64_t epoch_ms_;      // TATs are stored relative to this
  std::size_t slot_count_ = 0;
  std::size_t set_mask_ = 0;
  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
};

}  // namespace keymint
