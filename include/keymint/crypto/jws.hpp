// Compact JWS (RFC 7515) with RS256 only: building and checking the envelope.
// Claim rules (exp, iss, ...) are not checked here; see service/authenticator.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/rsa_key.hpp"

namespace keymint::crypto {

// The protected header every keymint token carries, already base64url-encoded:
// {"alg":"RS256","typ":"JWT","kid":"<key.kid()>"}. Compute once per key.
std::string EncodedJwtHeader(const RsaKey& key);

// "<encoded_header>.<base64url(claims_json)>.<base64url(signature)>".
Result<std::string> SignJws(const RsaKey& key, std::string_view encoded_header, std::string_view claims_json);

// Looks a signing key up by `kid`; returns nullptr when unknown.
class KeyLookup {
 public:
  virtual ~KeyLookup() = default;
  virtual const RsaKey* FindByKid(std::string_view kid) const = 0;
};

// Splits and checks a compact JWS: exactly three base64url parts, a JSON object
// header with "alg":"RS256" (anything else, "none" and HS256 included, is
// refused), a "kid" known to `keys`, a valid signature, and a payload that is a
// JSON object. Returns the payload JSON text. Every failure is kUnauthenticated.
Result<std::string> VerifyJws(std::string_view token, const KeyLookup& keys);

}  // namespace keymint::crypto
