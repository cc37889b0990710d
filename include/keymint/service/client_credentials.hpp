// What access keys and service accounts have in common: how their client IDs
// and secrets are drawn and replaced. One client-ID namespace covers both
// kinds, so a client ID resolves to exactly one credential.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The credential lifecycle's limits (README "Credential lifecycle").
struct CredentialPolicy {
  // The longest grace period a secret replacement may give the old secret
  // (Config::max_grace_seconds).
  int64_t max_grace_seconds = 86400;
  // The longest lifetime of a new credential, in days; 0 = no maximum
  // (Config::max_lifetime_days). With a maximum, a credential created
  // without an expiry gets one that far ahead.
  int64_t max_lifetime_days = 0;
};

// As ReplaceSecret, but with `grace_seconds` > 0 the old secret keeps
// matching, and the tokens of its generation stay valid, until `now_ms` plus
// that many seconds (CredentialRecord::previous_secret_hash). An older
// secret still in its grace period stops at once: only the one just replaced
// can be in grace. InvalidArgument when `grace_seconds` is outside
// 0..policy.max_grace_seconds.
Result<std::string> ReplaceSecretWithGrace(CredentialRecord& record, const crypto::SecretHasher& hasher,
                                           const CredentialPolicy& policy, int64_t grace_seconds, int64_t now_ms);

// The expiry a new credential gets: `requested`, which must lie after
// `now_ms` and within the policy's maximum lifetime, or with no request the
// maximum lifetime (none when the policy has none). InvalidArgument naming
// expiresAt otherwise.
Result<std::optional<int64_t>> NewCredentialExpiry(const CredentialPolicy& policy, std::optional<int64_t> requested,
                                                   int64_t now_ms);

// Whether `record` has expired at `now_ms`.
inline bool IsExpired(const CredentialRecord& record, int64_t now_ms) {
  return record.expires_at_ms && now_ms >= *record.expires_at_ms;
}

// Whether `record`'s previous secret is still in its grace period at `now_ms`.
inline bool InSecretGrace(const CredentialRecord& record, int64_t now_ms) {
  return !record.previous_secret_hash.empty() && now_ms < record.previous_secret_ends_at_ms;
}

// Whether a bearer token of generation `token_generation` is current for
// `record` at `now_ms`: its generation, or the previous secret's during its
// grace period.
inline bool IsCurrentGeneration(const CredentialRecord& record, uint64_t token_generation, int64_t now_ms) {
  return token_generation == record.generation ||
         (token_generation + 1 == record.generation && InSecretGrace(record, now_ms));
}

// What the audit entry of a creation or secret replacement records beyond
// the seed's members, e.g. "expiresAt=2027-01-01T00:00:00.000Z roles=a,b" or
// "graceSeconds=3600"; "" when nothing.
std::string LifecycleAuditDetail(std::optional<int64_t> expires_at_ms,
                                 const std::optional<std::vector<std::string>>& scope, int64_t grace_seconds = 0);

// The roles a scoped access key's tokens carry: those of `owner_roles` that
// `scope` names, in the owner's order.
std::vector<std::string> ScopedRoles(const std::vector<std::string>& scope,
                                     const std::vector<std::string>& owner_roles);

}  // namespace keymint
