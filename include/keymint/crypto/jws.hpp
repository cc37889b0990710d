// Compact JWS (RFC 7515) signed with keymint's keys (RS256, ES256 or EdDSA):
// building and checking the envelope. Claim rules (exp, iss, ...) are not
// checked here; see service/authenticator.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace keymint::crypto {

// The protected header every keymint token carries, already base64url-encoded:
// {"alg":"<AlgorithmName(key.algorithm())>","typ":"JWT","kid":"<key.kid()>"}.
// Compute once per key.
std::string EncodedJwtHeader(const SigningKey& key);

// "<encoded_header>.<base64url(claims_json)>.<base64url(signature)>", signed
// with `key` whatever the header says.
Result<std::string> SignJws(const SigningKey& key, std::string_view encoded_header, std::string_view claims_json);

// Looks a signing key up by `kid`; returns nullptr when unknown.
class KeyLookup {
 public:
  virtual ~KeyLookup() = default;
  virtual const SigningKey* FindByKid(std::string_view kid) const = 0;
};

// Splits and checks a compact JWS: exactly three base64url parts, a JSON object
// header whose "alg" is exactly "RS256", "ES256" or "EdDSA" (anything else,
// "none" and HS256 included, is refused), no "crit", a "kid" known to `keys`
// whose key has that very algorithm (a token that names another algorithm
// than its key's is refused: no algorithm confusion), a valid signature, and a
// payload that is a JSON object. Returns the payload JSON text. Every failure
// is kUnauthenticated.
Result<std::string> VerifyJws(std::string_view token, const KeyLookup& keys);

}  // namespace keymint::crypto
