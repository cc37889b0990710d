#include "keymint/crypto/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <climits>
#include <cstdio>
#include <cstdlib>

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

std::string NewUuidV4() {
  // Boost.UUID draws from the operating system's CSPRNG (getrandom) and sets
  // the version and variant bits.
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

}  // namespace keymint::crypto
