// Latencies in nanoseconds, bucketed log-linearly (the HdrHistogram layout with
// 64 sub-buckets per power of two): values below 128 ns are exact, larger ones
// are kept to within 1/64 (1.6%) of their value, from 1 ns to centuries, in a
// fixed 30 KiB table. Recording is one relaxed atomic increment, so one thread
// records while another reads a consistent-enough snapshot for a progress line.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace keymint::load {

class LatencyHistogram {
 public:
  LatencyHistogram() = default;
  // A copy is a snapshot of the counts as this thread reads them.
  LatencyHistogram(const LatencyHistogram& other) { Add(other); }
  LatencyHistogram& operator=(const LatencyHistogram& other);

  void Record(uint64_t nanoseconds);
  // Adds `other`'s counts to this one (for merging per-thread histograms).
  void Add(const LatencyHistogram& other);

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  double mean() const;
  // The smallest recorded value v such that at least `percentile`% of the
  // recorded values are <= v, as the highest value of v's bucket (never above
  // max()). 0 when empty. percentile in [0, 100].
  uint64_t ValueAtPercentile(double percentile) const;

 private:
  static constexpr int kSubBucketBits = 6;  // 64 sub-buckets per power of two
  static constexpr std::size_t kBuckets = (64 - kSubBucketBits) * (std::size_t{1} << kSubBucketBits) + 128;

  static std::size_t IndexOf(uint64_t value);
  static uint64_t HighestValueOf(std::size_t index);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};

  friend struct LatencyHistogramTestAccess;
};

}  // namespace keymint::load
