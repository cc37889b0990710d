// What access keys and service accounts have in common: how their client IDs
// and secrets are drawn. One client-ID namespace covers both kinds, so a
// client ID resolves to exactly one credential.
#pragma once

#include <string>

#include "keymint/common/result.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// A credential just created or re-keyed, with its plaintext secret (only here).
struct IssuedCredential {
  CredentialRecord record;
  std::string secret;
};

// A fresh client ID unique in `store` (retries on the astronomically unlikely
// collision).
Result<std::string> NewClientId(const Store& store);

// A fresh client secret: 256 bits from the CSPRNG as URL-safe text, and the
// keyed hash that is all the store ever sees of it.
struct ClientSecret {
  std::string plaintext;
  std::string hash;
};
ClientSecret NewClientSecret(const crypto::SecretHasher& hasher);

}  // namespace keymint
