// Keyed hashing of client secrets: HMAC-SHA-256 under a server key.
//
// Client secrets carry 256 random bits, so a fast keyed hash is enough: an
// attacker who steals the store cannot test guesses without the server key,
// and guessing 256 bits is hopeless anyway. Thread-safe after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keymint::crypto {

class SecretHasher {
 public:
  // `key` is the raw server key (32 random bytes, kept in the data directory).
  explicit SecretHasher(std::string key);

  // 32-byte HMAC-SHA-256(key, secret), as raw bytes.
  std::string Hash(std::string_view secret) const;

  // Constant-time comparison of Hash(secret) with `expected_hash`; the time
  // taken does not depend on where the two first differ.
  bool Verify(std::string_view secret, std::string_view expected_hash) const;

 private:
  std::string key_;
  // Names this hasher's prepared HMAC context in each thread's cache; unlike
  // the object's address, never reused by a later hasher.
  std::uint64_t id_;
};

}  // namespace keymint::crypto
