#include "keymint/service/failure_throttle.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "unit/test_support/fake_clock.hpp"

namespace keymint {
namespace {

using testing::FakeClock;

// 5 failures back to back, then one per 6 s.
constexpr ThrottleLimit kLimit{.burst = 5, .per_minute = 10};

TEST_CASE("a key is throttled after its burst of failures, for one refill interval", "[service]") {
  FakeClock clock;
  FailureThrottle throttle(kLimit, 1024, clock);

  for (int i = 0; i < 5; ++i) {
    CHECK(throttle.RetryAfterMillis("alice") == 0);
    throttle.RecordFailure("alice");
  }
  // The burst is spent: the next try must wait one interval (6 s).
  const int64_t wait = throttle.RetryAfterMillis("alice");
  CHECK(wait > 0);
  CHECK(wait <= 6000);
  CHECK(throttle.RetryAfterMillis("bob") == 0);  // other keys are untouched

  clock.Advance(wait);
  CHECK(throttle.RetryAfterMillis("alice") == 0);
  throttle.RecordFailure("alice");  // one more failure spends the refill at once
  CHECK(throttle.RetryAfterMillis("alice") > 0);
}

TEST_CASE("a throttled key recovers its whole burst after burst × interval", "[service]") {
  FakeClock clock;
  FailureThrottle throttle(kLimit, 1024, clock);
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("k");
  REQUIRE(throttle.RetryAfterMillis("k") > 0);

  clock.Advance(5 * 6000);

  for (int i = 0; i < 5; ++i) {
    CHECK(throttle.RetryAfterMillis("k") == 0);
    throttle.RecordFailure("k");
  }
  CHECK(throttle.RetryAfterMillis("k") > 0);
}

TEST_CASE("failures while throttled push the wait further out", "[service]") {
  FakeClock clock;
  FailureThrottle throttle(kLimit, 1024, clock);
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("k");
  const int64_t first = throttle.RetryAfterMillis("k");
  for (int i = 0; i < 10; ++i) throttle.RecordFailure("k");
  CHECK(throttle.RetryAfterMillis("k") == first + 10 * 6000);
}

TEST_CASE("per_minute 0 turns a throttle off", "[service]") {
  FakeClock clock;
  FailureThrottle throttle({.burst = 1, .per_minute = 0}, 1024, clock);
  for (int i = 0; i < 100; ++i) throttle.RecordFailure("k");
  CHECK_FALSE(throttle.enabled());
  CHECK(throttle.RetryAfterMillis("k") == 0);
}

TEST_CASE("capacity is whole sets of four slots, at least one set, rounded up to a power of two", "[service]") {
  FakeClock clock;
  CHECK(FailureThrottle(kLimit, 1, clock).capacity() == 4);
  CHECK(FailureThrottle(kLimit, 4096, clock).capacity() == 4096);
  CHECK(FailureThrottle(kLimit, 4097, clock).capacity() == 8192);
}

TEST_CASE("a spray of a million keys into a small table keeps the key under sustained attack", "[service]") {
  FakeClock clock;
  FailureThrottle throttle(kLimit, 4096, clock);

  // The key under attack has failed far more than its burst.
  for (int i = 0; i < 50; ++i) throttle.RecordFailure("victim");
  REQUIRE(throttle.RetryAfterMillis("victim") > 0);

  for (int i = 0; i < 1'000'000; ++i) {
    throttle.RecordFailure("spray-" + std::to_string(i));
    if (i % 1000 == 0) clock.Advance(1);
  }

  CHECK(throttle.RetryAfterMillis("victim") > 0);
  // Sprayed keys failed once each: none of them is throttled.
  CHECK(throttle.RetryAfterMillis("spray-999999") == 0);
}

TEST_CASE("concurrent failures on one key leave one consistent bucket", "[service]") {
  FakeClock clock;
  // 1 ms per failure and a burst of 1: the wait then equals the failures counted.
  FailureThrottle throttle({.burst = 1, .per_minute = 60000}, 64, clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) throttle.RecordFailure("shared");
    });
  }
  for (auto& thread : threads) thread.join();

  // Every failure counted exactly once.
  CHECK(throttle.RetryAfterMillis("shared") == 40000);
}

TEST_CASE("TryCharge lets exactly a burst of simultaneous attempts through", "[service]") {
  FakeClock clock;
  FailureThrottle throttle(kLimit, 1024, clock);  // burst 5
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) (throttle.TryCharge("victim") == 0 ? admitted : refused)++;
    });
  }
  for (auto& thread : threads) thread.join();

  CHECK(admitted == 5);
  CHECK(refused == 8 * 50 - 5);
}

TEST_CASE("Refund takes back a charged attempt", "[service]") {
  FakeClock clock;
  FailureThrottle throttle(kLimit, 1024, clock);
  for (int i = 0; i < 5; ++i) REQUIRE(throttle.TryCharge("k") == 0);
  REQUIRE(throttle.TryCharge("k") > 0);  // burst spent

  throttle.Refund("k");  // the last attempt succeeded after all
  CHECK(throttle.TryCharge("k") == 0);
  CHECK(throttle.TryCharge("k") > 0);

  throttle.Refund("unknown");  // nothing to refund: harmless
  CHECK(throttle.RetryAfterMillis("unknown") == 0);
}

}  // namespace
}  // namespace keymint
