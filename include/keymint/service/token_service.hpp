// Exchanges credentials for RS256 access tokens: the product's hot path.
//
// ExchangeClientCredentials looks the client ID up in the store, checks the
// secret's keyed hash in constant time, reads the owner's roles as they are
// now, signs a JWT with the active key and hands the last-login update to the
// recorder. It takes no global lock (only a per-shard lock in the recorder)
// and never waits on the disk. An unknown client ID
// costs one keyed hash just as a wrong secret does, and both give the same
// error. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

struct TokenSettings {
  std::string issuer;
  std::string audience;
  int64_t ttl_seconds = 3600;
};

struct IssuedToken {
  std::string jwt;
  int64_t expires_in = 0;  // seconds
};

class TokenService {
 public:
  static constexpr int kConcurrentPasswordChecks = 1;

  TokenService(const Store& store, const crypto::KeyRing& keys, const crypto::SecretHasher& hasher, const Clock& clock,
               LastLoginRecorder& recorder, TokenSettings settings);

  // Unauthenticated("invalid client credentials") for an unknown client, a
  // wrong secret, a disabled service account or an access key whose owner is gone;
  // also, before any store lookup, for a kmsec_ secret that is not well formed
  // (crypto::IsMalformedClientSecret).
  Result<IssuedToken> ExchangeClientCredentials(std::string_view client_id, std::string_view secret) const;
  // Unauthenticated("invalid username or password") for any mismatch. Slow by
  // design (password KDF): run it off the I/O threads. At most
  // `kConcurrentPasswordChecks` run at once; beyond that it fails at once with
  // Unavailable, so a flood of password grants cannot occupy the blocking pool
  // that management requests also need.
  Result<IssuedToken> ExchangePassword(std::string_view username, std::string_view password) const;

  const TokenSettings& settings() const { return settings_; }

 private:
  struct Subject;
  Result<IssuedToken> Mint(const Subject& subject) const;

  const Store& store_;
  const crypto::KeyRing& keys_;
  const crypto::SecretHasher& hasher_;
  const Clock& clock_;
  LastLoginRecorder& recorder_;
  const TokenSettings settings_;
  const std::string dummy_hash_;                 // compared against when the client ID is unknown
  const std::string dummy_credential_id_;        // read (and missed) when the client ID is unknown
  mutable std::atomic<int> password_checks_{0};  // running password checks
};

}  // namespace keymint
