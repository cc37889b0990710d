#include "keymint/service/client_credentials.hpp"

#include <algorithm>

#include "keymint/common/clock.hpp"
#include "keymint/crypto/client_secret.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint {
namespace {
constexpr std::size_t kClientIdBytes = 18;  // 144 bits, 24 characters
}  // namespace

Result<std::string> NewClientId(StoreTransaction& tx) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string client_id = crypto::RandomUrlSafe(kClientIdBytes);
    ASSIGN_OR_RETURN(auto taken, tx.FindCredentialByClientId(client_id, LastLoginField::kSkip));
    if (!taken) return client_id;
  }
  return Error::Internal("could not draw an unused client ID");
}

Result<IssuedCredential> NewCredential(StoreTransaction& tx, const crypto::SecretHasher& hasher, CredentialKind kind,
                                       std::string_view name, std::string_view owner_id, std::string_view created_by,
                                       int64_t now_ms) {
  ASSIGN_OR_RETURN(std::string client_id, NewClientId(tx));
  IssuedCredential issued;
  issued.secret = crypto::NewClientSecret();
  CredentialRecord& c = issued.record;
  c.id = crypto::NewUuidV4();
  c.kind = kind;
  c.name = std::string(name);
  c.client_id = std::move(client_id);
  c.secret_hash = hasher.Hash(issued.secret);
  c.owner_id = std::string(owner_id);
  c.created_by = std::string(created_by);
  c.created_at_ms = c.updated_at_ms = now_ms;
  c.enabled = true;
  return issued;
}

void EndCredentialSessions(CredentialRecord& record) {
  ++record.generation;
  // The previous secret's grace is a session of the generation just left behind.
  record.previous_secret_hash.clear();
  record.previous_secret_ends_at_ms = 0;
}

std::string ReplaceSecret(CredentialRecord& record, const crypto::SecretHasher& hasher) {
  std::string secret = crypto::NewClientSecret();
  record.secret_hash = hasher.Hash(secret);
  EndCredentialSessions(record);
  return secret;
}

Result<std::string> ReplaceSecretWithGrace(CredentialRecord& record, const crypto::SecretHasher& hasher,
                                           const CredentialPolicy& policy, int64_t grace_seconds, int64_t now_ms) {
  if (grace_seconds < 0 || grace_seconds > policy.max_grace_seconds) {
    return Error::InvalidArgument("graceSeconds must be an integer between 0 and " +
                                  std::to_string(policy.max_grace_seconds));
  }
  std::string previous_hash = record.secret_hash;
  std::string secret = ReplaceSecret(record, hasher);  // also ends an older grace period
  if (grace_seconds > 0) {
    record.previous_secret_hash = std::move(previous_hash);
    record.previous_secret_ends_at_ms = now_ms + grace_seconds * 1000;
  }
  return secret;
}

Result<std::optional<int64_t>> NewCredentialExpiry(const CredentialPolicy& policy, std::optional<int64_t> requested,
                                                   int64_t now_ms) {
  constexpr int64_t kMillisPerDay = int64_t{86400} * 1000;
  std::optional<int64_t> latest;
  if (policy.max_lifetime_days > 0) latest = now_ms + policy.max_lifetime_days * kMillisPerDay;
  if (!requested) return latest;
  if (*requested <= now_ms) return Error::InvalidArgument("expiresAt must be in the future");
  if (latest && *requested > *latest) {
    return Error::InvalidArgument("expiresAt must be at most " + std::to_string(policy.max_lifetime_days) +
                                  " days ahead (" + FormatTimestamp(*latest) + ")");
  }
  return requested;
}

std::string LifecycleAuditDetail(std::optional<int64_t> expires_at_ms,
                                 const std::optional<std::vector<std::string>>& scope, int64_t grace_seconds) {
  std::string detail;
  auto add = [&detail](std::string_view part) {
    if (!detail.empty()) detail += ' ';
    detail += part;
  };
  if (expires_at_ms) add("expiresAt=" + FormatTimestamp(*expires_at_ms));
  if (scope) {
    std::string roles = "roles=";
    for (std::size_t i = 0; i < scope->size(); ++i) roles += (i == 0 ? "" : ",") + (*scope)[i];
    add(roles);
  }
  if (grace_seconds > 0) add("graceSeconds=" + std::to_string(grace_seconds));
  return detail;
}

std::vector<std::string> ScopedRoles(const std::vector<std::string>& scope,
                                     const std::vector<std::string>& owner_roles) {
  std::vector<std::string> roles;
  for (const auto& role : owner_roles) {
    if (std::find(scope.begin(), scope.end(), role) != scope.end()) roles.push_back(role);
  }
  return roles;
}

}  // namespace keymint
