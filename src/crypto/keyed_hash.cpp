#include "keymint/crypto/keyed_hash.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "crypto/openssl_handles.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

constexpr std::size_t kKeyBytes = 16;
constexpr std::size_t kHashBytes = 8;

using MacPtr = std::unique_ptr<EVP_MAC, internal::OpenSslDeleter<EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, internal::OpenSslDeleter<EVP_MAC_CTX_free>>;

[[noreturn]] void Fatal() {
  std::fputs("keymint: fatal: SipHash unavailable\n", stderr);
  std::abort();
}

const std::string& ProcessKey() {
  static const std::string key = RandomBytes(kKeyBytes);
  return key;
}

// One context per thread, made once: EVP_MAC_init with the key again resets
// it without allocating, which EVP_Q_mac or a dup per call would not.
EVP_MAC_CTX* ThreadContext() {
  thread_local MacCtxPtr ctx = [] {
    MacPtr mac(EVP_MAC_fetch(nullptr, "SIPHASH", nullptr));
    if (!mac) Fatal();
    MacCtxPtr made(EVP_MAC_CTX_new(mac.get()));
    if (!made) Fatal();
    std::size_t size = kHashBytes;  // SipHash defaults to 16 bytes of output
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(made.get(), params) != 1) Fatal();
    return made;
  }();
  return ctx.get();
}

}  // namespace

uint64_t KeyedHash64(std::string_view data) { return SipHash64(ProcessKey(), data); }

uint64_t SipHash64(std::string_view key, std::string_view data) {
  if (key.size() != kKeyBytes) Fatal();
  EVP_MAC_CTX* ctx = ThreadContext();
  unsigned char out[kHashBytes];
  std::size_t out_len = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out, &out_len, sizeof out) != 1 || out_len != kHashBytes) {
    Fatal();  // a broken provider; a table without its hash cannot work
  }
  uint64_t hash = 0;
  for (std::size_t i = kHashBytes; i-- > 0;) hash = (hash << 8) | out[i];
  return hash;
}

}  // namespace keymint::crypto
