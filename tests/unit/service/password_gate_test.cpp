#include "keymint/service/password_gate.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

namespace keymint {
namespace {

using namespace std::chrono_literals;

TEST_CASE("the gate admits `concurrency` callers at once", "[service]") {
  PasswordGate gate({.concurrency = 2, .queue = 0, .max_wait = 10ms});
  auto first = gate.Enter();
  auto second = gate.Enter();
  REQUIRE(first.ok());
  REQUIRE(second.ok());

  auto third = gate.Enter();
  REQUIRE_FALSE(third.ok());
  CHECK(third.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("a waiter is admitted when a place frees within max_wait", "[service]") {
  PasswordGate gate({.concurrency = 1, .queue = 4, .max_wait = 5s});
  std::optional<Result<PasswordGate::Ticket>> held(gate.Enter());
  REQUIRE(held->ok());

  std::atomic<bool> admitted{false};
  std::thread waiter([&] {
    auto ticket = gate.Enter();
    admitted = ticket.ok();
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(admitted);
  held.reset();  // leaves the gate
  waiter.join();
  CHECK(admitted);
}

TEST_CASE("a waiter gives up after max_wait with Unavailable", "[service]") {
  PasswordGate gate({.concurrency = 1, .queue = 4, .max_wait = 50ms});
  auto held = gate.Enter();
  REQUIRE(held.ok());

  const auto start = std::chrono::steady_clock::now();
  auto late = gate.Enter();
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
}

TEST_CASE("callers beyond the queue are refused at once", "[service]") {
  PasswordGate gate({.concurrency = 1, .queue = 2, .max_wait = 10s});
  auto held = gate.Enter();
  REQUIRE(held.ok());
  std::vector<std::thread> waiters;
  std::atomic<int> refused{0};
  std::atomic<int> admitted{0};
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&] { (gate.Enter().ok() ? admitted : refused)++; });
  }
  std::this_thread::sleep_for(100ms);  // both are queued now

  const auto start = std::chrono::steady_clock::now();
  auto extra = gate.Enter();
  CHECK_FALSE(extra.ok());
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // refused, not queued for 10 s

  { auto release = std::move(held).value(); }
  for (auto& waiter : waiters) waiter.join();
  CHECK(admitted == 2);
  CHECK(refused == 0);
}

}  // namespace
}  // namespace keymint
