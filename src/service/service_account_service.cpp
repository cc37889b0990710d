#include "keymint/service/service_account_service.hpp"

#include <algorithm>

#include "keymint/service/validation.hpp"

namespace keymint {
namespace {

// Service accounts are named across the whole organisation: one empty scope.
constexpr std::string_view kOrganisationScope = "";

Error AccountNotFound(std::string_view id) {
  return Error::NotFound("service account " + std::string(id) + " not found");
}

}  // namespace

ServiceAccountService::ServiceAccountService(Store& store, const crypto::SecretHasher& hasher,
                                             const RoleCatalog& catalog, const Clock& clock, std::mutex& write_mu,
                                             std::size_t max_accounts)
    : store_(store),
      hasher_(hasher),
      catalog_(catalog),
      clock_(clock),
      write_mu_(write_mu),
      max_accounts_(max_accounts) {}

Result<IssuedCredential> ServiceAccountService::Create(std::string_view created_by, std::string_view name,
                                                       const std::vector<std::string>& roles) {
  if (Status s = ValidateCredentialName(name); !s.ok()) return std::move(s).error();
  if (Status s = ValidateRoles(catalog_, roles); !s.ok()) return std::move(s).error();
  std::lock_guard lock(write_mu_);
  auto same_name = store_.FindCredentialByName(CredentialKind::kServiceAccount, kOrganisationScope, name);
  if (!same_name.ok()) return same_name.error();
  if (*same_name) return Error::AlreadyExists("a service account named \"" + std::string(name) + "\" already exists");
  auto count = store_.CountCredentialsOfKind(CredentialKind::kServiceAccount);
  if (!count.ok()) return count.error();
  if (*count >= max_accounts_) {
    return Error::InvalidArgument("the organisation can have at most " + std::to_string(max_accounts_) +
                                  " service accounts; delete one first");
  }
  auto issued = NewCredential(store_, hasher_, CredentialKind::kServiceAccount, name, kOrganisationScope, created_by,
                              clock_.NowMillis());
  if (!issued.ok()) return issued.error();
  issued->record.roles = roles;
  if (Status s = store_.CreateCredential(issued->record); !s.ok()) return std::move(s).error();
  return issued;
}

Result<std::vector<CredentialRecord>> ServiceAccountService::List() const {
  CredentialQuery query;
  query.kind = CredentialKind::kServiceAccount;
  return store_.ListCredentials(query);
}

Result<CredentialRecord> ServiceAccountService::Get(std::string_view id) const {
  auto found = store_.GetCredential(id);
  if (!found.ok()) return found.error();
  // An access key's id is not a service account's.
  if (!*found || (*found)->kind != CredentialKind::kServiceAccount) return AccountNotFound(id);
  return std::move(**found);
}

int64_t ServiceAccountService::NextUpdateTime(int64_t previous) const {
  return std::max(clock_.NowMillis(), previous + 1);
}

Result<CredentialRecord> ServiceAccountService::Update(std::string_view id, const ServiceAccountChange& change) {
  if (change.roles) {
    if (Status s = ValidateRoles(catalog_, *change.roles); !s.ok()) return std::move(s).error();
  }
  std::lock_guard lock(write_mu_);
  auto account = Get(id);
  if (!account.ok()) return account.error();
  const bool enabled_changes = change.enabled && *change.enabled != account->enabled;
  const bool roles_change = change.roles && *change.roles != account->roles;
  if (!enabled_changes && !roles_change) return account;  // nothing to write; updatedAt stays
  const int64_t now = NextUpdateTime(account->updated_at_ms);
  if (enabled_changes) {
    account->enabled = *change.enabled;
    // Tokens minted before a disable stay refused after a later re-enable:
    // the generation never goes back.
    if (!account->enabled) EndCredentialSessions(*account);
  }
  if (roles_change) account->roles = *change.roles;
  account->updated_at_ms = now;
  if (Status s = store_.UpdateCredential(*account); !s.ok()) return std::move(s).error();
  return account;
}

Status ServiceAccountService::Delete(std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto account = Get(id);
  if (!account.ok()) return account.error();
  return store_.DeleteCredential(*account);
}

Result<std::string> ServiceAccountService::RegenerateSecret(std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto account = Get(id);
  if (!account.ok()) return account.error();
  const int64_t now = NextUpdateTime(account->updated_at_ms);
  std::string secret = ReplaceSecret(*account, hasher_);
  account->updated_at_ms = now;
  if (Status s = store_.UpdateCredential(*account); !s.ok()) return std::move(s).error();
  return secret;
}

}  // namespace keymint
