// Signing-key rotation without downtime (README "Signing-key rotation"): the
// keys and their states, a rotation on demand (POST /api/v1/signing-keys/
// rotate) or when a key file appears in the keys directory (SIGHUP), and a
// timer that moves keys along their states on time (next -> active after the
// publish delay; retired -> gone once its tokens have expired). The key ring
// publishes each change as a snapshot, so the token path never waits on any
// of this. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/service/audit_trail.hpp"

namespace keymint {

class SigningKeyService {
 public:
  // Keeps a reference to `keys` (and `audit`), which must outlive it. The
  // timer runs from Start() until Stop() (or destruction). With an `audit`
  // trail every rotation, and every key file a rescan adopts, is recorded
  // (signing_key.rotate, the new kid as target), and a failed rotation too.
  explicit SigningKeyService(crypto::KeyRing& keys, AuditTrail* audit = nullptr);
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

  crypto::KeyRing& keys_;
  AuditTrail* const audit_;  // null: nothing audited
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under mutex_
  bool changed_ = false;   // under mutex_: the schedule changed, look again
  std::thread timer_;
};

}  // namespace keymint
