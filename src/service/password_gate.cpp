#include "keymint/service/password_gate.hpp"

#include <algorithm>

namespace keymint {

PasswordGate::PasswordGate(PasswordGateLimits limits) : limits_(limits) {}

PasswordGate::Ticket::~Ticket() {
  if (gate_) gate_->Leave();
}

Result<PasswordGate::Ticket> PasswordGate::Enter() {
  std::unique_lock lock(mu_);
  const int concurrency = std::max(1, limits_.concurrency);
  if (running_ < concurrency && waiting_ == 0) {
    ++running_;
    return Ticket(this);
  }
  if (waiting_ >= limits_.queue) return Error::Unavailable("too many password checks waiting; retry shortly");
  ++waiting_;
  // A newcomer never overtakes the queue (the `waiting_ == 0` test above);
  // among the waiters, the one notify_one wakes goes first.
  const bool admitted = freed_.wait_for(lock, limits_.max_wait, [&] { return running_ < concurrency; });
  --waiting_;
  if (!admitted) return Error::Unavailable("password checks are busy; retry shortly");
  ++running_;
  return Ticket(this);
}

void PasswordGate::Leave() {
  {
    std::lock_guard lock(mu_);
    --running_;
  }
  freed_.notify_one();
}

}  // namespace keymint
