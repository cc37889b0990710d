#include "keymint/crypto/secret_hasher.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "crypto/openssl_handles.hpp"

namespace keymint::crypto {

SecretHasher::SecretHasher(std::string key) : key_(std::move(key)) {}

std::string SecretHasher::Hash(std::string_view secret) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  // HMAC() only fails on allocation failure or a broken provider. An empty or
  // partial hash must never reach the store (it would be saved as a client's
  // credential), and the signature gives no way to report, so stop instead.
  if (key_.size() > INT_MAX ||
      HMAC(internal::Sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), mac, &mac_len) == nullptr ||
      mac_len != internal::kSha256Size) {
    std::fputs("keymint: fatal: HMAC-SHA-256 failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

bool SecretHasher::Verify(std::string_view secret, std::string_view expected_hash) const {
  const std::string actual = Hash(secret);
  // The length of a stored hash is not secret; only its contents are.
  if (expected_hash.size() != actual.size()) return false;
  return CRYPTO_memcmp(actual.data(), expected_hash.data(), actual.size()) == 0;
}

}  // namespace keymint::crypto
