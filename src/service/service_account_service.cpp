#include "keymint/service/service_account_service.hpp"

#include <algorithm>

#include "service/validation.hpp"

namespace keymint {
namespace {

// Service accounts are named across the whole organisation: one empty scope.
constexpr std::string_view kOrganisationScope = "";

Error AccountNotFound(std::string_view id) {
  return Error::NotFound("service account " + std::string(id) + " not found");
}

// `found` (the credential with `id`, if any) when it is a service account: an
// access key's id is not a service account's.
Result<CredentialRecord> AccountOrNotFound(std::optional<CredentialRecord> found, std::string_view id) {
  if (!found || found->kind != CredentialKind::kServiceAccount) return AccountNotFound(id);
  return std::move(*found);
}

// What a PATCH asks for, as the audit log names it: the first action it
// would record (enable/disable before roles).
std::string_view RequestedAction(const ServiceAccountChange& change) {
  if (change.enabled)
    return *change.enabled ? audit_action::kServiceAccountEnable : audit_action::kServiceAccountDisable;
  return audit_action::kServiceAccountRoles;
}

}  // namespace

ServiceAccountService::ServiceAccountService(Store& store, const crypto::SecretHasher& hasher,
                                             const RoleCatalog& catalog, const Clock& clock, std::size_t max_accounts,
                                             AuditTrail* audit, CredentialPolicy policy)
    : store_(store),
      hasher_(hasher),
      catalog_(catalog),
      clock_(clock),
      max_accounts_(max_accounts),
      audit_(audit),
      policy_(policy) {}

Result<WithSecret<ServiceAccount>> ServiceAccountService::Create(std::string_view created_by, std::string_view name,
                                                                 const std::vector<std::string>& roles,
                                                                 const AuditActor& actor,
                                                                 std::optional<int64_t> expires_at_ms) {
  using Created = Result<WithSecret<ServiceAccount>>;
  return Audited<Created>(audit_, actor, audit_action::kServiceAccountCreate, name, [&]() -> Created {
    RETURN_IF_ERROR(ValidateCredentialName(name));
    RETURN_IF_ERROR(ValidateRoles(catalog_, roles));
    const int64_t now_ms = clock_.NowMillis();
    ASSIGN_OR_RETURN(const auto expiry, NewCredentialExpiry(policy_, expires_at_ms, now_ms));
    IssuedCredential issued;
    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto same_name,
                       tx.FindCredentialByName(CredentialKind::kServiceAccount, kOrganisationScope, name));
      if (same_name)
        return Error::AlreadyExists("a service account named \"" + std::string(name) + "\" already exists");
      ASSIGN_OR_RETURN(std::size_t count, tx.CountCredentialsOfKind(CredentialKind::kServiceAccount));
      if (count >= max_accounts_) {
        return Error::InvalidArgument("the organisation can have at most " + std::to_string(max_accounts_) +
                                      " service accounts; delete one first");
      }
      ASSIGN_OR_RETURN(issued, NewCredential(tx, hasher_, CredentialKind::kServiceAccount, name, kOrganisationScope,
                                             created_by, now_ms));
      issued.record.roles = roles;
      issued.record.expires_at_ms = expiry;
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kServiceAccountCreate, issued.record.id,
                                 LifecycleAuditDetail(expiry, std::nullopt)));
      return tx.CreateCredential(issued.record);
    });
    if (!committed.ok()) return committed.error();
    return WithSecret<ServiceAccount>{ServiceAccount::From(issued.record), std::move(issued.secret)};
  });
}

Result<std::vector<ServiceAccount>> ServiceAccountService::List() const {
  CredentialQuery query;
  query.kind = CredentialKind::kServiceAccount;
  return ViewsOf<ServiceAccount>(store_.ListCredentials(query));
}

Result<ServiceAccount> ServiceAccountService::Get(std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  ASSIGN_OR_RETURN(auto account, AccountOrNotFound(std::move(found), id));
  return ServiceAccount::From(account);
}

Result<Detailed<ServiceAccount>> ServiceAccountService::GetDetails(std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  ASSIGN_OR_RETURN(auto account, AccountOrNotFound(std::move(found), id));
  return Detailed<ServiceAccount>{ServiceAccount::From(account), CredentialState::From(account, clock_.NowMillis())};
}

int64_t ServiceAccountService::NextUpdateTime(int64_t previous) const {
  return std::max(clock_.NowMillis(), previous + 1);
}

Result<ServiceAccount> ServiceAccountService::Update(std::string_view id, const ServiceAccountChange& change,
                                                     const AuditActor& actor) {
  using Updated = Result<ServiceAccount>;
  return Audited<Updated>(audit_, actor, RequestedAction(change), id, [&]() -> Updated {
    if (change.roles) RETURN_IF_ERROR(ValidateRoles(catalog_, *change.roles));
    CredentialRecord account;
    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetCredential(id));
      ASSIGN_OR_RETURN(account, AccountOrNotFound(std::move(found), id));
      const bool enabled_changes = change.enabled && *change.enabled != account.enabled;
      const bool roles_change = change.roles && *change.roles != account.roles;
      if (!enabled_changes && !roles_change) return Status::Ok();  // nothing to write; updatedAt stays
      const int64_t now = NextUpdateTime(account.updated_at_ms);
      if (enabled_changes) {
        account.enabled = *change.enabled;
        // Tokens minted before a disable stay refused after a later re-enable:
        // the generation never goes back.
        if (!account.enabled) EndCredentialSessions(account);
        RETURN_IF_ERROR(StageAudit(
            audit_, tx, actor,
            account.enabled ? audit_action::kServiceAccountEnable : audit_action::kServiceAccountDisable, account.id));
      }
      if (roles_change) {
        account.roles = *change.roles;
        RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kServiceAccountRoles, account.id));
      }
      account.updated_at_ms = now;
      return tx.UpdateCredential(account);
    });
    if (!committed.ok()) return committed.error();
    return ServiceAccount::From(account);
  });
}

Status ServiceAccountService::Delete(std::string_view id, const AuditActor& actor) {
  return Audited<Status>(audit_, actor, audit_action::kServiceAccountDelete, id, [&] {
    return store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetCredential(id));
      ASSIGN_OR_RETURN(auto account, AccountOrNotFound(std::move(found), id));
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kServiceAccountDelete, account.id));
      return tx.DeleteCredential(account.id);
    });
  });
}

Result<std::string> ServiceAccountService::RegenerateSecret(std::string_view id, const AuditActor& actor,
                                                            int64_t grace_seconds) {
  using Regenerated = Result<std::string>;
  return Audited<Regenerated>(audit_, actor, audit_action::kServiceAccountRegenerate, id, [&]() -> Regenerated {
    std::string secret;
    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetCredential(id));
      ASSIGN_OR_RETURN(auto account, AccountOrNotFound(std::move(found), id));
      const int64_t now = NextUpdateTime(account.updated_at_ms);
      ASSIGN_OR_RETURN(secret, ReplaceSecretWithGrace(account, hasher_, policy_, grace_seconds, now));
      account.updated_at_ms = now;
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kServiceAccountRegenerate, account.id,
                                 LifecycleAuditDetail(std::nullopt, std::nullopt, grace_seconds)));
      return tx.UpdateCredential(account);
    });
    if (!committed.ok()) return committed.error();
    return secret;
  });
}

}  // namespace keymint
