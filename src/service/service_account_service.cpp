#include "keymint/service/service_account_service.hpp"

#include <algorithm>

#include "keymint/crypto/random.hpp"
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
  auto count = store_.CountCredentialsOfKind(CredentialKind::kServiceAccount);
  if (!count.ok()) return count.error();
  if (*count >= max_accounts_) {
    return Error::InvalidArgument("the organisation can have at most " + std::to_string(max_accounts_) +
                                  " service accounts; delete one first");
  }
  auto same_name = store_.FindCredentialByName(CredentialKind::kServiceAccount, kOrganisationScope, name);
  if (!same_name.ok()) return same_name.error();
  if (*same_name) return Error::AlreadyExists("a service account named \"" + std::string(name) + "\" already exists");
  auto client_id = NewClientId(store_);
  if (!client_id.ok()) return client_id.error();

  IssuedCredential issued;
  ClientSecret secret = NewClientSecret(hasher_);
  issued.secret = std::move(secret.plaintext);
  CredentialRecord& account = issued.record;
  account.id = crypto::NewUuidV4();
  account.kind = CredentialKind::kServiceAccount;
  account.name = std::string(name);
  account.client_id = std::move(*client_id);
  account.secret_hash = std::move(secret.hash);
  account.owner_id = std::string(kOrganisationScope);
  account.created_by = std::string(created_by);
  account.created_at_ms = account.updated_at_ms = clock_.NowMillis();
  account.enabled = true;
  account.roles = roles;
  if (Status s = store_.CreateCredential(account); !s.ok()) return std::move(s).error();
  return issued;
}

Result<std::vector<CredentialRecord>> ServiceAccountService::List() const {
  CredentialQuery query;
  query.kind = CredentialKind::kServiceAccount;
  return store_.ListCredentials(query);
}

Result<CredentialRecord> ServiceAccountService::Find(std::string_view id) const {
  auto found = store_.GetCredential(id);
  if (!found.ok()) return found.error();
  // An access key's id is not a service account's.
  if (!*found || (*found)->kind != CredentialKind::kServiceAccount) return AccountNotFound(id);
  return std::move(**found);
}

Result<CredentialRecord> ServiceAccountService::Get(std::string_view id) const { return Find(id); }

int64_t ServiceAccountService::NextUpdateTime(int64_t previous) const {
  return std::max(clock_.NowMillis(), previous + 1);
}

Result<CredentialRecord> ServiceAccountService::Update(std::string_view id, const ServiceAccountChange& change) {
  if (change.roles) {
    if (Status s = ValidateRoles(catalog_, *change.roles); !s.ok()) return std::move(s).error();
  }
  std::lock_guard lock(write_mu_);
  auto account = Find(id);
  if (!account.ok()) return account.error();
  if (change.enabled) account->enabled = *change.enabled;
  if (change.roles) account->roles = *change.roles;
  account->updated_at_ms = NextUpdateTime(account->updated_at_ms);
  if (Status s = store_.UpdateCredential(*account); !s.ok()) return std::move(s).error();
  return account;
}

Status ServiceAccountService::Delete(std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto account = Find(id);
  if (!account.ok()) return account.error();
  return store_.DeleteCredential(*account);
}

Result<std::string> ServiceAccountService::RegenerateSecret(std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto account = Find(id);
  if (!account.ok()) return account.error();
  ClientSecret secret = NewClientSecret(hasher_);
  account->secret_hash = std::move(secret.hash);
  account->updated_at_ms = NextUpdateTime(account->updated_at_ms);
  if (Status s = store_.UpdateCredential(*account); !s.ok()) return std::move(s).error();
  return std::move(secret.plaintext);
}

}  // namespace keymint
