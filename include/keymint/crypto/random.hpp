// Randomness from the OpenSSL CSPRNG (RAND_bytes; per-thread DRBGs, no global lock).
#pragma once

#include <cstddef>
#include <string>

namespace keymint::crypto {

// `n` random bytes. Aborts the process if the CSPRNG fails: continuing without
// randomness would mint guessable secrets.
std::string RandomBytes(std::size_t n);

// base64url text of `n` random bytes (n = 32 gives 256 bits in 43 characters).
std::string RandomUrlSafe(std::size_t n);

// A random (version 4, RFC 9562) UUID in lowercase canonical form.
std::string NewUuidV4();

}  // namespace keymint::crypto
