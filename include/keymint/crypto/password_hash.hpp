// Password storage with a slow salted KDF: PBKDF2-HMAC-SHA-256 at the OWASP
// (2023) strength of 600,000 iterations, 16-byte random salt, 32-byte output.
//
// Encoded form (self-describing so that the cost can be raised later):
//   pbkdf2-sha256$<iterations>$<base64url salt>$<base64url hash>
// Thread-safe; each call costs ~0.3 s of one core by design.
#pragma once

#include <string>
#include <string_view>

namespace keymint::crypto {

inline constexpr int kPasswordIterations = 600000;

std::string HashPassword(std::string_view password, int iterations = kPasswordIterations);

// True when `password` matches `encoded`. False for a malformed `encoded`.
// Compares in constant time.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace keymint::crypto
