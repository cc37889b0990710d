// Admits the slow password KDF runs (logins, password changes, resets, new
// users' temporary passwords) a few at a time, with a short bounded queue, so
// that they cannot occupy every CPU or every thread of the blocking pool, and
// a burst of logins waits briefly instead of failing at once.
//
// At most `concurrency` KDF runs at once; up to `queue` more callers wait, each
// at most `max_wait`; anyone beyond that, or who waited too long, is refused
// with Unavailable (the API answers 503 + Retry-After). The blocking pool must
// have more threads than concurrency + queue, so that management requests
// always find one (main.cpp sizes it so). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "keymint/common/result.hpp"

namespace keymint {

struct PasswordGateLimits {
  int concurrency = 1;
  int queue = 16;
  std::chrono::milliseconds max_wait{3000};
};

class PasswordGate {
 public:
  explicit PasswordGate(PasswordGateLimits limits);

  // Held while one KDF runs; releases its place when destroyed.
  class Ticket {
   public:
    explicit Ticket(PasswordGate* gate) : gate_(gate) {}
    Ticket(Ticket&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    PasswordGate* gate_;
  };

  // Waits for a place; Unavailable when the queue is full or the wait ran out.
  Result<Ticket> Enter();

  const PasswordGateLimits& limits() const { return limits_; }

 private:
  void Leave();

  const PasswordGateLimits limits_;
  std::mutex mu_;
  std::condition_variable freed_;
  int running_ = 0;  // guarded by mu_
  int waiting_ = 0;  // guarded by mu_
};

}  // namespace keymint
