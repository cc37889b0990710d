// What stands in front of every credential check: failure throttles per
// client ID, per username and per source address, and the gate that admits
// password KDF runs a few at a time. One instance per process, shared by the
// token service and the user service.
//
// A key (client ID, username or address) that failed too often is refused
// with ResourceExhausted (429 + Retry-After) before its credentials are even
// looked at, right or wrong: that is what stops guessing. Client-credential
// failures are counted after the (fast) check, so a successful exchange only
// reads the throttles; password attempts are charged up front (see
// BeginPasswordAttempt). The cost is that an
// attacker who knows a client ID or username can keep that one principal
// throttled; every other client, user and address is untouched, and the
// burst and rate are settings. Addresses are the TCP peer's: behind a proxy
// they are the proxy's, so raise or turn off (per_minute = 0) the address
// limits there. Thread-safe; the Check* calls are lock-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/service/failure_throttle.hpp"
#include "keymint/service/password_gate.hpp"

namespace keymint {

struct LoginLimits {
  ThrottleLimit client_id{.burst = 20, .per_minute = 120};
  ThrottleLimit client_address{.burst = 100, .per_minute = 600};
  ThrottleLimit username{.burst = 10, .per_minute = 6};
  ThrottleLimit password_address{.burst = 30, .per_minute = 30};
  std::size_t throttle_capacity = 65536;  // slots per throttle (8 bytes each)
  PasswordGateLimits password;
};

class LoginLimiter {
 public:
  // `clock` must outlive the limiter.
  LoginLimiter(const LoginLimits& limits, const Clock& clock);

  // Client credentials: OK, or ResourceExhausted while the client ID or the
  // address is throttled. `address` may be empty (unknown): not throttled.
  Status CheckClient(std::string_view client_id, std::string_view address) const;
  void ClientFailed(std::string_view client_id, std::string_view address);

  // Passwords (logins and password changes), by normalised username. An
  // attempt is counted as a failure when it starts, not when it fails: a KDF
  // run takes ~0.1 s, and attempts started together would otherwise all pass
  // the check before the first failure is counted. OK (and charged), or
  // ResourceExhausted (and nothing charged).
  Status BeginPasswordAttempt(std::string_view username, std::string_view address);
  // Takes the charge back: the password was right, or the check never ran.
  void RefundPasswordAttempt(std::string_view username, std::string_view address);

  // A place for one password KDF run; see PasswordGate.
  Result<PasswordGate::Ticket> EnterPasswordCheck() { return gate_.Enter(); }

 private:
  FailureThrottle client_id_;
  FailureThrottle client_address_;
  FailureThrottle username_;
  FailureThrottle password_address_;
  PasswordGate gate_;
};

}  // namespace keymint
