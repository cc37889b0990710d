// Token introspection (RFC 7662) and revocation (RFC 7009) for the clients
// keymint has authenticated (README "Introspection and revocation").
//
// Introspect answers with a token's claims exactly when the management API
// would accept it now (Authenticator: a key in keymint's JWKS, our issuer and
// audience, not expired, its client or user still as minted, not revoked),
// and with nothing otherwise (RFC 7662 "active": false): a foreign, malformed,
// expired or revoked token all look the same.
//
// Revoke puts a token's `jti` on the deny list until its `exp`. Per RFC 7009
// §2.2 a token that is not keymint's, malformed or already expired is no
// error (there is nothing to revoke). Per §2.1 a client may revoke only
// tokens issued to it: a valid token whose `client_id` claim names another
// client, or none (a user's password token), is PermissionDenied and nothing
// is revoked. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/token_deny_list.hpp"

namespace keymint {

class TokenIntrospection {
 public:
  // Keeps references to everything it is given; all must outlive it.
  // `authenticator` must consult `deny_list`.
  TokenIntrospection(const Authenticator& authenticator, const crypto::KeyRing& keys, TokenDenyList& deny_list,
                     const Clock& clock, std::string issuer);

  // The token's claims (its JSON payload text) while it is active; nullopt
  // when it is not. Unavailable only when the store cannot be read.
  Result<std::optional<std::string>> Introspect(std::string_view token) const;

  // Revokes `token` on behalf of the authenticated client `client_id` (see
  // the top of this file). Unavailable when the deny list is full or the
  // store cannot write.
  Status Revoke(std::string_view token, std::string_view client_id);

 private:
  const Authenticator& authenticator_;
  const crypto::KeyRing& keys_;
  TokenDenyList& deny_list_;
  const Clock& clock_;
  const std::string issuer_;
};

}  // namespace keymint
