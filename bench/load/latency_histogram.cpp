#include "load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace keymint::load {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;
}  // namespace

// Values below 128 index themselves. A value with its top bit at position
// e >= 7 keeps its top 7 bits (64..127 after shifting by e - 6), so each power
// of two spans 64 consecutive indices right after the previous one's.
std::size_t LatencyHistogram::IndexOf(uint64_t value) {
  if (value < 128) return static_cast<std::size_t>(value);
  const int top_bit = 63 - std::countl_zero(value);
  const int shift = top_bit - kSubBucketBits;
  return static_cast<std::size_t>(shift) * 64 + static_cast<std::size_t>(value >> shift);
}

uint64_t LatencyHistogram::HighestValueOf(std::size_t index) {
  if (index < 128) return index;
  const std::size_t shift = index / 64 - 1;
  const uint64_t top_bits = index - shift * 64;  // in 64..127
  return ((top_bits + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t nanoseconds) {
  buckets_[IndexOf(nanoseconds)].fetch_add(1, kRelaxed);
  count_.fetch_add(1, kRelaxed);
  sum_.fetch_add(nanoseconds, kRelaxed);
  // Only the recording thread writes max_, so a load and a store suffice.
  if (nanoseconds > max_.load(kRelaxed)) max_.store(nanoseconds, kRelaxed);
}

void LatencyHistogram::Add(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (const uint64_t n = other.buckets_[i].load(kRelaxed)) buckets_[i].fetch_add(n, kRelaxed);
  }
  count_.fetch_add(other.count(), kRelaxed);
  sum_.fetch_add(other.sum_.load(kRelaxed), kRelaxed);
  if (other.max() > max()) max_.store(other.max(), kRelaxed);
}

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& other) {
  if (this == &other) return *this;
  for (auto& bucket : buckets_) bucket.store(0, kRelaxed);
  count_.store(0, kRelaxed);
  sum_.store(0, kRelaxed);
  max_.store(0, kRelaxed);
  Add(other);
  return *this;
}

double LatencyHistogram::mean() const {
  const uint64_t n = count();
  return n == 0 ? 0.0 : static_cast<double>(sum_.load(kRelaxed)) / static_cast<double>(n);
}

uint64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(kRelaxed);
  if (total == 0) return 0;
  const double clamped = std::clamp(percentile, 0.0, 100.0);
  const auto wanted = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(clamped / 100.0 * total)));
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(kRelaxed);
    if (seen >= wanted) return std::min(HighestValueOf(i), max());
  }
  return max();
}

}  // namespace keymint::load
