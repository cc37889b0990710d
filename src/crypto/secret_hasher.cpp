#include "keymint/crypto/secret_hasher.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "crypto/openssl_handles.hpp"

namespace keymint::crypto {

namespace {

using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, internal::OpenSslDeleter<EVP_MAC_CTX_free>>;

std::atomic<std::uint64_t> next_hasher_id{1};

// HMAC() would fetch the MAC and the digest, allocate a context and key it on
// every call: ~4 µs, ten times the hash itself. Instead each thread keeps one
// context per hasher, keyed once; EVP_MAC_init with no key then resets it to
// that key without allocating.
struct KeyedContext {
  std::uint64_t hasher_id;
  MacCtxPtr ctx;
};
// A process has one or two hashers; the bound only matters to threads that
// have seen many short-lived ones (tests).
constexpr std::size_t kMaxCachedHashers = 8;

// HMAC fetched once per process and never freed, like internal::Sha256().
EVP_MAC* Hmac() {
  static EVP_MAC* const kHmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return kHmac;
}

// Only allocation failure or a broken provider gets here. An empty or partial
// hash must never reach the store (it would be saved as a client's
// credential), and Hash has no way to report, so stop instead.
[[noreturn]] void Fatal() {
  std::fputs("keymint: fatal: HMAC-SHA-256 failed\n", stderr);
  std::abort();
}

EVP_MAC_CTX* ContextFor(std::uint64_t hasher_id, const std::string& key) {
  thread_local std::vector<KeyedContext> cache;
  for (KeyedContext& entry : cache) {
    if (entry.hasher_id == hasher_id) return entry.ctx.get();
  }
  if (Hmac() == nullptr) Fatal();
  MacCtxPtr ctx(EVP_MAC_CTX_new(Hmac()));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    Fatal();
  }
  if (cache.size() >= kMaxCachedHashers) cache.erase(cache.begin());
  cache.push_back({hasher_id, std::move(ctx)});
  return cache.back().ctx.get();
}

}  // namespace

SecretHasher::SecretHasher(std::string key)
    : key_(std::move(key)), id_(next_hasher_id.fetch_add(1, std::memory_order_relaxed)) {}

std::string SecretHasher::Hash(std::string_view secret) const {
  EVP_MAC_CTX* ctx = ContextFor(id_, key_);
  std::string mac(internal::kSha256Size, '\0');
  std::size_t mac_len = 0;
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size()) != 1 ||
      EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(mac.data()), &mac_len, mac.size()) != 1 ||
      mac_len != internal::kSha256Size) {
    Fatal();
  }
  return mac;
}

bool SecretHasher::Verify(std::string_view secret, std::string_view expected_hash) const {
  const std::string actual = Hash(secret);
  // The length of a stored hash is not secret; only its contents are.
  if (expected_hash.size() != actual.size()) return false;
  return CRYPTO_memcmp(actual.data(), expected_hash.data(), actual.size()) == 0;
}

}  // namespace keymint::crypto
