// Signing-key rotation without downtime (README "Signing-key rotation"): the
// keys and their states, a rotation on demand (POST /api/v1/signing-keys/
// rotate) or when a key file appears in the keys directory (SIGHUP), and a
// timer that moves keys along their states on time (next -> active after the
// publish delay; retired -> gone once its tokens have expired) and takes in,
// every refresh interval, what other replicas sharing the keys directory
// recorded (key_ring.hpp "Shared directory"). The key ring publishes each
// change as a snapshot, so the token path never waits on any of this.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/service/audit_trail.hpp"

namespace keymint {

class SigningKeyService {
 public:
  // How often the timer looks for changes recorded by other replicas, unless told otherwise.
  static constexpr std::chrono::milliseconds kDefaultRefreshInterval{1000};

  // Keeps a reference to `keys` (and `audit`), which must outlive it. The
  // timer runs from Start() until Stop() (or destruction). With an `audit`
  // trail every rotation, and every key file a rescan adopts, is recorded
  // (signing_key.rotate, the new kid as target), and a failed rotation too;
  // a change taken in from another replica is not (that replica recorded it).
  // Every `refresh_interval` the timer refreshes the ring (KeyRing::Refresh),
  // so a rotation on another replica signs here within that bound; zero:
  // never (one process alone on its keys directory).
  explicit SigningKeyService(crypto::KeyRing& keys, AuditTrail* audit = nullptr,
                             std::chrono::milliseconds refresh_interval = kDefaultRefreshInterval);
  ~SigningKeyService();
  SigningKeyService(const SigningKeyService&) = delete;
  SigningKeyService& operator=(const SigningKeyService&) = delete;

  // Every key and its state, in file order.
  std::vector<crypto::KeyEntry> List() const;
  // Generates a key of the configured algorithm and publishes it as next
  // (active at once with no publish delay). Every rotation goes through here.
  Result<crypto::KeyEntry> Rotate(const AuditActor& actor = {});
  // Adopts key files added to the keys directory as next, logging each one
  // adopted and each one refused (a refused file changes nothing). Blocks:
  // run it off the I/O threads.
  void Rescan();

  void Start();
  void Stop();

 private:
  void RunTimer();
  void Wake();
  void Refresh();

  crypto::KeyRing& keys_;
  AuditTrail* const audit_;  // null: nothing audited
  const std::chrono::milliseconds refresh_interval_;
  std::string last_refresh_error_;  // timer thread only: each failure is logged once, not every interval
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under mutex_
  bool changed_ = false;   // under mutex_: the schedule changed, look again
  std::thread timer_;
};

}  // namespace keymint
