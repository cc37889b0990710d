// Authenticates management requests by the bearer token they carry (the API
// layer takes it out of "Authorization: Bearer <JWT>"): a JWT issued by this
// keymint.
//
// Accepted only when: RS256 with a known kid and a valid signature (see
// crypto::VerifyJws), `iss` and `aud` equal ours, `nbf` ≤ now + 1 s and
// now < `exp` (issuer and verifier share a clock, so exp gets no leeway),
// `sub` names an existing user, and, for a token minted from an access key,
// that key still exists. The caller's permissions then come from the user's
// roles in the store now, never from the token's claims. Thread-safe.
#pragma once

#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

struct Principal {
  UserRecord user;  // as stored now
  bool IsAdmin() const;
};

class Authenticator {
 public:
  Authenticator(const Store& store, const crypto::KeyRing& keys, const Clock& clock, std::string issuer,
                std::string audience);

  // Every failure is Unauthenticated with a short reason.
  Result<Principal> Authenticate(std::string_view bearer_token) const;

 private:
  const Store& store_;
  const crypto::KeyRing& keys_;
  const Clock& clock_;
  const std::string issuer_;
  const std::string audience_;
};

}  // namespace keymint
