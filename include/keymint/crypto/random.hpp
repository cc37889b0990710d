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

// A token's unique ID (`jti`): 128 random bits as 22 base64url characters.
// Drawn from a per-thread buffer of CSPRNG output refilled 1 KiB at a time,
// which saves the token path a DRBG call (and its fork check) per token. Fit
// for identifiers that must be unique and unguessable; secrets and keys use
// RandomBytes.
std::string NewTokenId();
// A random (version 4, RFC 9562) UUID in lowercase canonical form.
std::string NewUuidV4();

}  // namespace keymint::crypto
