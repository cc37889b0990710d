// Authenticates management requests by the bearer token they carry (the API
// layer takes it out of "Authorization: Bearer <JWT>"): a JWT issued by this
// keymint.
//
// Accepted only when: a known kid, the "alg" of that key (RS256, ES256 or
// EdDSA: any published key verifies, whatever the configured algorithm) and
// a valid signature (see crypto::VerifyJws), `iss` and `aud` equal ours, `nbf` ≤ now + 1 s and
// now < `exp` (issuer and verifier share a clock, so exp gets no leeway),
// and the token names a caller that still exists, in the state it was minted
// in. A token minted from a client credential needs that credential to exist
// and be enabled and unexpired, its `gen` to equal the credential's generation
// (moved on by a secret replacement or a disable, so this holds to the exact
// change, not to the second) or, during a secret replacement's grace period,
// the generation before it, and `sub` to be the access key's owner or the
// service account itself; a scoped access key's token gets the owner's roles
// narrowed to the key's scope. A password token's `sub` must be an existing user whose
// generation (moved on by a password reset or change, or by losing System
// administrator) equals its `gen`. An absent `gen` (a token from an earlier
// version) reads as 0. An access key's token does not depend on the owner's
// generation. The caller's
// permissions then come from its roles in the store now, never from the
// token's claims. With a deny list, a token whose `jti` is on it (revoked,
// README "Introspection and revocation") is refused too. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/service/model.hpp"
#include "keymint/service/token_deny_list.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

class Authenticator {
 public:
  // Keeps references to everything it is given; all must outlive it.
  Authenticator(const Store& store, const crypto::KeyRing& keys, const Clock& clock, std::string issuer,
                std::string audience, const TokenDenyList* revoked = nullptr);

  // Every failure is Unauthenticated with a short reason.
  Result<Principal> Authenticate(std::string_view bearer_token) const;

 private:
  const Store& store_;
  const crypto::KeyRing& keys_;
  const Clock& clock_;
  const std::string issuer_;
  const std::string audience_;
  const TokenDenyList* const revoked_;  // null: no deny list (nothing is revoked)
};

}  // namespace keymint
