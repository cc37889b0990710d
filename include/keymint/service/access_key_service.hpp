// Access keys: a user's own client credentials (API.md §4 and §5).
//
// Rules: names valid and unique among the owner's keys; at most
// `max_per_user` keys per user; the secret is returned once (create,
// regenerate) and stored only as a keyed hash; another user's key is
// NotFound, never PermissionDenied. A key may expire, be scoped to some of
// its owner's roles, and keep its replaced secret for a grace period (README
// "Credential lifecycle"). Each change, with the checks it depends
// on, is one store transaction, synced before it returns. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/audit_trail.hpp"
#include "keymint/service/client_credentials.hpp"
#include "keymint/service/model.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

struct AccessKeyFilter {
  std::optional<std::string> client_id;
  std::optional<std::string> created_by;  // owner's email
  std::size_t offset = 0;
  std::size_t limit = 100;
};

// What a new access key may ask for beyond its name (extension members).
struct AccessKeyOptions {
  std::optional<int64_t> expires_at_ms;  // see NewCredentialExpiry
  // A subset of the owner's roles, at least one; nullopt = unscoped.
  std::optional<std::vector<std::string>> scope;
};

class AccessKeyService {
 public:
  // Keeps references to everything it is given; all must outlive it. With an
  // `audit` trail, every change is recorded in its transaction and every
  // refused change as a failure, with `actor` as who asked.
  AccessKeyService(Store& store, const crypto::SecretHasher& hasher, const Clock& clock, int max_per_user,
                   AuditTrail* audit = nullptr, CredentialPolicy policy = {});

  // InvalidArgument for a scope naming a role the owner does not hold now,
  // an empty scope, or an expiry NewCredentialExpiry refuses.
  Result<WithSecret<AccessKey>> Create(const Principal& owner, std::string_view name, const AuditActor& actor = {},
                                       const AccessKeyOptions& options = {});
  Result<std::vector<AccessKey>> ListOwn(const Principal& owner) const;
  Result<AccessKey> GetOwn(const Principal& owner, std::string_view id) const;
  Status DeleteOwn(const Principal& owner, std::string_view id, const AuditActor& actor = {});
  // Replaces the secret; the old one stops working when this returns, or
  // `grace_seconds` later (ReplaceSecretWithGrace).
  Result<std::string> RegenerateOwn(const Principal& owner, std::string_view id, const AuditActor& actor = {},
                                    int64_t grace_seconds = 0);
  // The key with its state (expiry, scope, grace period).
  Result<Detailed<AccessKey>> GetOwnDetails(const Principal& owner, std::string_view id) const;

  // Administration: every user's keys.
  Result<std::vector<AccessKey>> ListAll(const AccessKeyFilter& filter) const;
  Status DeleteAny(std::string_view id, const AuditActor& actor = {});
  Result<Detailed<AccessKey>> GetAnyDetails(std::string_view id) const;

  const CredentialPolicy& policy() const { return policy_; }

 private:
  Store& store_;
  const crypto::SecretHasher& hasher_;
  const Clock& clock_;
  const std::size_t max_per_user_;
  AuditTrail* const audit_;  // null: nothing audited
  const CredentialPolicy policy_;
};

}  // namespace keymint
