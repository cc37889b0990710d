// Exchanges credentials for signed JWT access tokens (RS256 unless the key
// ring's algorithm is ES256 or EdDSA): the product's hot path.
//
// ExchangeClientCredentials looks the client ID up in the store, checks the
// secret's keyed hash in constant time (and, only when that fails during a
// grace period, the replaced secret's), refuses an expired credential as a
// wrong secret, reads the owner's roles as they are now (narrowed to a scoped
// key's scope), signs a JWT with the active key and hands the last-login
// update to the recorder. It takes no global lock (only a per-shard lock in the recorder)
// and never waits on the disk. An unknown client ID
// costs one keyed hash just as a wrong secret does, and both give the same
// error. Every check first asks the LoginLimiter whether the client ID (or
// username) and the source address are throttled, and counts each failure
// there. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/audit_trail.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/service/login_limiter.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

struct TokenSettings {
  std::string issuer;
  std::string audience;
  int64_t ttl_seconds = 3600;
  // PBKDF2 iterations of the hash an unknown username is checked against, so
  // that it costs what a known user's check costs (Config::password_iterations).
  int password_iterations = crypto::kPasswordIterations;
};

struct IssuedToken {
  std::string jwt;
  int64_t expires_in = 0;  // seconds
};

class TokenService {
 public:
  // Keeps references to everything it is given; all must outlive it. With an
  // `audit` trail, a failed password check (not a throttled or queued-out
  // attempt, and never a client-credentials failure) is recorded there.
  TokenService(const Store& store, const crypto::KeyRing& keys, const crypto::SecretHasher& hasher, const Clock& clock,
               LastLoginRecorder& recorder, LoginLimiter& limiter, TokenSettings settings, AuditTrail* audit = nullptr);

  // Unauthenticated("invalid client credentials") for an unknown client, a
  // wrong secret (a replaced one past its grace period), a disabled service
  // account, an expired credential or an access key whose owner is gone,
  // and, before any store lookup, for a kmsec_ secret that is not well
  // formed (crypto::IsMalformedClientSecret); ResourceExhausted while the
  // client ID or `source` (the caller's address, "" when unknown) is throttled.
  // A successful exchange queues the credential's last login and usage
  // (`source` and `user_agent`, the caller's User-Agent) with the recorder;
  // a refused one naming a known client ID queues its failed attempt.
  Result<IssuedToken> ExchangeClientCredentials(std::string_view client_id, std::string_view secret,
                                                std::string_view source = {}, std::string_view user_agent = {}) const;
  // Unauthenticated("invalid username or password") for any mismatch;
  // ResourceExhausted while the username or `source` is throttled;
  // Unavailable when the password gate is full. Slow by design (password
  // KDF): run it off the I/O threads.
  Result<IssuedToken> ExchangePassword(std::string_view username, std::string_view password,
                                       std::string_view source = {}) const;

  const TokenSettings& settings() const { return settings_; }

  // Client authentication for the endpoints that take a client's
  // credentials but mint nothing (introspection, revocation): the checks
  // (grace periods and expiry included), throttling and errors of
  // ExchangeClientCredentials, through the same code, without the token.
  // Returns the authenticated client ID.
  Result<std::string> AuthenticateClient(std::string_view client_id, std::string_view secret,
                                         std::string_view source = {}) const;

 private:
  struct Subject;
  Result<IssuedToken> Mint(const Subject& subject) const;
  // A credential whose secret matched (the current one, or the replaced one
  // during its grace period), enabled and unexpired: what both
  // ExchangeClientCredentials and AuthenticateClient accept.
  struct VerifiedClient {
    CredentialRecord credential;
    uint64_t generation = 0;  // what its tokens carry (one less for a secret in grace)
    int64_t now_ms = 0;       // when it was checked
  };
  Result<VerifiedClient> VerifyClient(std::string_view client_id, std::string_view secret,
                                      std::string_view source) const;
  // Counts a failed client authentication in the throttle; the error to answer.
  Error RefuseClient(std::string_view client_id, std::string_view source) const;
  // A password hash no password matches, checked when the username is
  // unknown so that the answer takes as long as for a wrong password. Made
  // on first use (one slow KDF run), not at construction.
  const std::string& DummyPasswordHash() const;

  const Store& store_;
  const crypto::KeyRing& keys_;
  const crypto::SecretHasher& hasher_;
  const Clock& clock_;
  LastLoginRecorder& recorder_;
  LoginLimiter& limiter_;
  const TokenSettings settings_;
  AuditTrail* const audit_;       // null: nothing audited
  const std::string dummy_hash_;  // compared against when the client ID is unknown
  mutable std::once_flag dummy_password_once_;
  mutable std::string dummy_password_hash_;
  const std::string dummy_credential_id_;  // read (and missed) when the client ID is unknown
};

}  // namespace keymint
