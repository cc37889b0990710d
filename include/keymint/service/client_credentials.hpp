// What access keys and service accounts have in common: how their client IDs
// and secrets are drawn and replaced. One client-ID namespace covers both
// kinds, so a client ID resolves to exactly one credential.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keymint/common/result.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// A credential just created or re-keyed, with its plaintext secret (only here).
struct IssuedCredential {
  CredentialRecord record;
  std::string secret;
};

// A fresh client ID that no credential in `tx` has (retries on the
// astronomically unlikely collision). Draw it in the transaction that creates
// the credential.
Result<std::string> NewClientId(StoreTransaction& tx);

// A new, enabled credential made at `now_ms` (not yet stored): a fresh id,
// client ID and secret (crypto::NewClientSecret: 256 bits from the CSPRNG in
// the prefixed, checksummed kmsec_ format), of which the record keeps only the
// keyed hash. The caller sets the roles, if any.
Result<IssuedCredential> NewCredential(StoreTransaction& tx, const crypto::SecretHasher& hasher, CredentialKind kind,
                                       std::string_view name, std::string_view owner_id, std::string_view created_by,
                                       int64_t now_ms);

// Moves `record`'s generation on: once the record is stored, every bearer
// token minted from it so far is refused (see CredentialRecord::generation).
void EndCredentialSessions(CredentialRecord& record);

// Gives `record` a fresh secret and returns it in plaintext. Once the record
// is stored the old secret stops matching, and bearer tokens minted from it
// are refused (EndCredentialSessions).
std::string ReplaceSecret(CredentialRecord& record, const crypto::SecretHasher& hasher);

}  // namespace keymint
