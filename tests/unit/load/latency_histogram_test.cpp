#include "load/latency_histogram.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

namespace keymint::load {
namespace {

TEST_CASE("an empty histogram reports zeros", "[load]") {
  const LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.max() == 0);
  CHECK(h.mean() == 0);
  CHECK(h.ValueAtPercentile(99) == 0);
}

TEST_CASE("values below 128 ns are kept exactly", "[load]") {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 128; ++v) h.Record(v);
  CHECK(h.ValueAtPercentile(0) == 0);
  CHECK(h.ValueAtPercentile(50) == 63);
  CHECK(h.ValueAtPercentile(100) == 127);
  CHECK(h.max() == 127);
}

TEST_CASE("percentiles of 1..10000 µs are within 1/64 of the exact ones", "[load]") {
  LatencyHistogram h;
  for (uint64_t us = 1; us <= 10000; ++us) h.Record(us * 1000);
  CHECK(h.count() == 10000);
  CHECK(h.mean() == Approx(5000.5 * 1000));
  for (const double p : {50.0, 90.0, 99.0, 99.9}) {
    const double exact = p / 100 * 10000 * 1000;
    const auto reported = static_cast<double>(h.ValueAtPercentile(p));
    INFO("p" << p);
    CHECK(reported >= exact);  // the bucket's highest value: never under
    CHECK(reported <= exact * (1 + 1.0 / 64));
  }
  CHECK(h.ValueAtPercentile(100) == 10'000'000);  // capped at the true max
}

TEST_CASE("the largest values land in the table", "[load]") {
  LatencyHistogram h;
  h.Record(std::numeric_limits<uint64_t>::max());
  h.Record(uint64_t{1} << 40);
  CHECK(h.count() == 2);
  CHECK(h.max() == std::numeric_limits<uint64_t>::max());
  CHECK(h.ValueAtPercentile(100) == std::numeric_limits<uint64_t>::max());
  CHECK(h.ValueAtPercentile(50) >= uint64_t{1} << 40);
  CHECK(h.ValueAtPercentile(50) < (uint64_t{1} << 40) + (uint64_t{1} << 34));
}

TEST_CASE("merged and copied histograms hold every count", "[load]") {
  LatencyHistogram a;
  LatencyHistogram b;
  for (uint64_t v = 1; v <= 100; ++v) a.Record(v * 1000);
  for (uint64_t v = 101; v <= 200; ++v) b.Record(v * 1000);
  LatencyHistogram merged = a;
  merged.Add(b);
  CHECK(merged.count() == 200);
  CHECK(merged.max() == 200'000);
  CHECK(merged.ValueAtPercentile(50) >= 100'000);
  CHECK(merged.ValueAtPercentile(50) <= 101'600);
  CHECK(a.count() == 100);  // the copy did not take from the original
  LatencyHistogram assigned;
  assigned.Record(5);
  assigned = b;
  CHECK(assigned.count() == 100);
  CHECK(assigned.ValueAtPercentile(0) >= 101'000);
}

}  // namespace
}  // namespace keymint::load
