#include "keymint/service/login_limiter.hpp"

#include <algorithm>
#include <string>

namespace keymint {
namespace {

// A 429 that says how long to wait, in whole seconds (rounded up).
Status Throttled(int64_t wait_ms) {
  if (wait_ms == 0) return Status::Ok();
  const int64_t seconds = (wait_ms + 999) / 1000;
  return Error::ResourceExhausted("too many failed attempts; retry in " + std::to_string(seconds) + " s", seconds);
}

// The longer of the two waits.
Status Throttled(const FailureThrottle& by_key, std::string_view key, const FailureThrottle& by_address,
                 std::string_view address) {
  int64_t wait_ms = by_key.RetryAfterMillis(key);
  if (!address.empty()) wait_ms = std::max(wait_ms, by_address.RetryAfterMillis(address));
  return Throttled(wait_ms);
}

void Count(FailureThrottle& by_key, std::string_view key, FailureThrottle& by_address, std::string_view address) {
  by_key.RecordFailure(key);
  if (!address.empty()) by_address.RecordFailure(address);
}

}  // namespace

LoginLimiter::LoginLimiter(const LoginLimits& limits, const Clock& clock)
    : client_id_(limits.client_id, limits.throttle_capacity, clock),
      client_address_(limits.client_address, limits.throttle_capacity, clock),
      username_(limits.username, limits.throttle_capacity, clock),
      password_address_(limits.password_address, limits.throttle_capacity, clock),
      gate_(limits.password) {}

Status LoginLimiter::CheckClient(std::string_view client_id, std::string_view address) const {
  return Throttled(client_id_, client_id, client_address_, address);
}

void LoginLimiter::ClientFailed(std::string_view client_id, std::string_view address) {
  Count(client_id_, client_id, client_address_, address);
}

Status LoginLimiter::BeginPasswordAttempt(std::string_view username, std::string_view address) {
  if (const int64_t wait_ms = username_.TryCharge(username); wait_ms > 0) return Throttled(wait_ms);
  if (address.empty()) return Status::Ok();
  if (const int64_t wait_ms = password_address_.TryCharge(address); wait_ms > 0) {
    username_.Refund(username);  // this attempt is not made after all
    return Throttled(wait_ms);
  }
  return Status::Ok();
}

void LoginLimiter::RefundPasswordAttempt(std::string_view username, std::string_view address) {
  username_.Refund(username);
  if (!address.empty()) password_address_.Refund(address);
}

}  // namespace keymint
