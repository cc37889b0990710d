// Service accounts (API.md §6): client credentials owned by the organisation,
// not by a user, with roles of their own. Also served under their deprecated
// name, applications (seed 001); the API layer renders both.
//
// Rules: names valid and unique across the organisation; at most
// `max_accounts` (default kMaxServiceAccounts, the seed's maxItems, so the
// unpaginated list always fits it); roles from the catalog; the secret is returned once (create,
// regenerate) and stored only as a keyed hash; `updated_at` moves forward on
// every change (a PATCH that changes nothing writes nothing). A disabled
// account keeps everything but cannot mint (the token service checks
// `enabled`) and its bearer tokens are refused (the authenticator checks
// `enabled`; a disable also moves the generation on, so tokens from before it
// stay refused after a re-enable). An account may expire and keep its
// replaced secret for a grace period (README "Credential lifecycle"). Each change, with the checks it depends
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
#include "keymint/service/roles.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

inline constexpr std::size_t kMaxServiceAccounts = 1000;

// A PATCH: the fields to change; absent ones stay as they are.
struct ServiceAccountChange {
  std::optional<bool> enabled;
  std::optional<std::vector<std::string>> roles;
};

class ServiceAccountService {
 public:
  // Keeps references to everything it is given; all must outlive it. With an
  // `audit` trail, every change is recorded in its transaction (a PATCH as
  // enable/disable and/or roles) and every refused change as a failure, with
  // `actor` as who asked.
  ServiceAccountService(Store& store, const crypto::SecretHasher& hasher, const RoleCatalog& catalog,
                        const Clock& clock, std::size_t max_accounts = kMaxServiceAccounts, AuditTrail* audit = nullptr,
                        CredentialPolicy policy = {});

  // `created_by` is what the record will show as its creator (the caller's
  // name). `expires_at_ms` as NewCredentialExpiry takes it.
  Result<WithSecret<ServiceAccount>> Create(std::string_view created_by, std::string_view name,
                                            const std::vector<std::string>& roles, const AuditActor& actor = {},
                                            std::optional<int64_t> expires_at_ms = std::nullopt);
  Result<std::vector<ServiceAccount>> List() const;       // by creation time
  Result<ServiceAccount> Get(std::string_view id) const;  // NotFound for an access key's id
  // Returns the account as it is after the change.
  Result<ServiceAccount> Update(std::string_view id, const ServiceAccountChange& change, const AuditActor& actor = {});
  Status Delete(std::string_view id, const AuditActor& actor = {});
  // Replaces the secret; the old one stops working when this returns, or
  // `grace_seconds` later (ReplaceSecretWithGrace).
  Result<std::string> RegenerateSecret(std::string_view id, const AuditActor& actor = {}, int64_t grace_seconds = 0);
  // The account with its state (expiry, grace period).
  Result<Detailed<ServiceAccount>> GetDetails(std::string_view id) const;

  const CredentialPolicy& policy() const { return policy_; }

 private:
  // Now, but strictly after `previous`: two changes within one millisecond
  // still show as two.
  int64_t NextUpdateTime(int64_t previous) const;

  Store& store_;
  const crypto::SecretHasher& hasher_;
  const RoleCatalog& catalog_;
  const Clock& clock_;
  const std::size_t max_accounts_;
  AuditTrail* const audit_;  // null: nothing audited
  const CredentialPolicy policy_;
};

}  // namespace keymint
