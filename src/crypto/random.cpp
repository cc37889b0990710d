#include "keymint/crypto/random.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "keymint/crypto/encoding.hpp"

namespace keymint::crypto {

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  while (n > 0) {
    const int chunk = static_cast<int>(std::min<std::size_t>(n, INT_MAX));
    if (RAND_bytes(p, chunk) != 1) {
      // Returning anything here would hand out guessable secrets and ids.
      std::fputs("keymint: fatal: the OpenSSL CSPRNG failed\n", stderr);
      std::abort();
    }
    p += chunk;
    n -= static_cast<std::size_t>(chunk);
  }
  return out;
}

std::string RandomUrlSafe(std::size_t n) { return Base64UrlEncode(RandomBytes(n)); }

std::string NewTokenId() {
  constexpr std::size_t kIdBytes = 16;
  constexpr std::size_t kPoolBytes = 64 * kIdBytes;
  struct Pool {
    unsigned char bytes[kPoolBytes];
    std::size_t used = kPoolBytes;  // empty until first use
    // Wiped on thread exit: IDs already handed out are public, but the unused
    // rest would tell the next ones.
    ~Pool() { OPENSSL_cleanse(bytes, sizeof bytes); }
  };
  thread_local Pool pool;
  if (pool.used == kPoolBytes) {
    const std::string fresh = RandomBytes(kPoolBytes);
    std::copy(fresh.begin(), fresh.end(), pool.bytes);
    pool.used = 0;
  }
  const std::string_view id(reinterpret_cast<const char*>(pool.bytes + pool.used), kIdBytes);
  std::string text = Base64UrlEncode(id);
  OPENSSL_cleanse(pool.bytes + pool.used, kIdBytes);  // used once only
  pool.used += kIdBytes;
  return text;
}

std::string NewUuidV4() {
  // Boost.UUID draws from the operating system's CSPRNG (getrandom) and sets
  // the version and variant bits.
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

}  // namespace keymint::crypto
