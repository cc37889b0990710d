#include "keymint/service/failure_throttle.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "keymint/crypto/keyed_hash.hpp"

namespace keymint {
namespace {

constexpr std::size_t kWays = 4;  // slots per set: 32 bytes, within one cache line
constexpr int kTatBits = 40;      // ms since the epoch: 34 years
constexpr uint64_t kTatMask = (uint64_t{1} << kTatBits) - 1;
constexpr int kFingerprintBits = 64 - kTatBits;

uint64_t Tat(uint64_t word) { return word & kTatMask; }
uint64_t Fingerprint(uint64_t word) { return word >> kTatBits; }
uint64_t Word(uint64_t fingerprint, uint64_t tat) { return (fingerprint << kTatBits) | (tat & kTatMask); }

}  // namespace

// Where a key lives: its set's first slot and its fingerprint (never 0, so
// that an all-zero word means "free").
struct FailureThrottle::Place {
  std::atomic<uint64_t>* set;
  uint64_t fingerprint;
};

FailureThrottle::FailureThrottle(ThrottleLimit limit, std::size_t capacity, const Clock& clock)
    : clock_(clock),
      interval_ms_(limit.per_minute > 0 ? std::max<int64_t>(1, std::llround(60000.0 / limit.per_minute)) : 0),
      tolerance_ms_(interval_ms_ * (std::max(1, limit.burst) - 1)),
      epoch_ms_(clock.NowMillis()) {
  const std::size_t sets = std::bit_ceil(std::max<std::size_t>(1, (capacity + kWays - 1) / kWays));
  slot_count_ = sets * kWays;
  set_mask_ = sets - 1;
  slots_ = std::make_unique<std::atomic<uint64_t>[]>(slot_count_);  // value-initialised: all free
}

int64_t FailureThrottle::NowMillis() const {
  // Before the epoch (the wall clock stepped back) counts as the epoch.
  return std::max<int64_t>(0, clock_.NowMillis() - epoch_ms_);
}

FailureThrottle::Place FailureThrottle::Locate(std::string_view key) const {
  const uint64_t hash = crypto::KeyedHash64(key);
  // Low bits pick the set, high bits make the fingerprint: independent parts of one hash.
  const std::size_t set = static_cast<std::size_t>(hash) & set_mask_;
  uint64_t fingerprint = hash >> kTatBits;
  if (fingerprint == 0) fingerprint = 1;
  static_assert(kFingerprintBits == 24);
  return {&slots_[set * kWays], fingerprint};
}

int64_t FailureThrottle::RetryAfterMillis(std::string_view key) const {
  if (!enabled()) return 0;
  const Place place = Locate(key);
  const int64_t now = NowMillis();
  for (std::size_t way = 0; way < kWays; ++way) {
    const uint64_t word = place.set[way].load(std::memory_order_relaxed);
    if (Fingerprint(word) != place.fingerprint) continue;
    const int64_t ahead = static_cast<int64_t>(Tat(word)) - now;
    return ahead > tolerance_ms_ ? ahead - tolerance_ms_ : 0;
  }
  return 0;
}

void FailureThrottle::RecordFailure(std::string_view key) { (void)Charge(key, /*only_if_allowed=*/false); }

int64_t FailureThrottle::TryCharge(std::string_view key) { return Charge(key, /*only_if_allowed=*/true); }

int64_t FailureThrottle::Charge(std::string_view key, bool only_if_allowed) {
  if (!enabled()) return 0;
  const Place place = Locate(key);
  const int64_t now = NowMillis();
  // A failed CAS means another writer succeeded, so the loop as a whole makes
  // progress; it never gives up, or a charge could be skipped under load.
  for (;;) {
    // The key's own slot if it has one, else the slot to take over: a free
    // one, or the one whose TAT is earliest (its key has been quiet longest).
    std::atomic<uint64_t>* target = nullptr;
    uint64_t seen = 0;
    bool own = false;
    for (std::size_t way = 0; way < kWays; ++way) {
      const uint64_t word = place.set[way].load(std::memory_order_relaxed);
      if (Fingerprint(word) == place.fingerprint) {
        target = &place.set[way];
        seen = word;
        own = true;
        break;
      }
      if (!target || Tat(word) < Tat(seen)) {
        target = &place.set[way];
        seen = word;
      }
    }
    const int64_t base = own ? std::max<int64_t>(static_cast<int64_t>(Tat(seen)), now) : now;
    // Decided on the same word the CAS replaces, so concurrent callers cannot
    // all pass one check and then all be charged.
    if (only_if_allowed && base - now > tolerance_ms_) return base - now - tolerance_ms_;
    const uint64_t updated = Word(place.fingerprint, static_cast<uint64_t>(base + interval_ms_));
    if (target->compare_exchange_weak(seen, updated, std::memory_order_relaxed)) return 0;
  }
}

void FailureThrottle::Refund(std::string_view key) {
  if (!enabled()) return;
  const Place place = Locate(key);
  for (std::size_t way = 0; way < kWays; ++way) {
    uint64_t word = place.set[way].load(std::memory_order_relaxed);
    if (Fingerprint(word) != place.fingerprint) continue;
    for (;;) {
      const int64_t tat = static_cast<int64_t>(Tat(word));
      const uint64_t updated = Word(place.fingerprint, static_cast<uint64_t>(std::max<int64_t>(0, tat - interval_ms_)));
      if (place.set[way].compare_exchange_weak(word, updated, std::memory_order_relaxed)) return;
      if (Fingerprint(word) != place.fingerprint) return;  // evicted meanwhile: nothing to refund
    }
  }
}

}  // namespace keymint
