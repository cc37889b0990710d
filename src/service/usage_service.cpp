#include "keymint/service/usage_service.hpp"

#include <string>

#include "keymint/service/credential_usage.hpp"

namespace keymint {
namespace {

Error KeyNotFound(std::string_view id) { return Error::NotFound("access key " + std::string(id) + " not found"); }
Error AccountNotFound(std::string_view id) {
  return Error::NotFound("service account " + std::string(id) + " not found");
}

}  // namespace

UsageService::UsageService(const Store& store, const Clock& clock) : store_(store), clock_(clock) {}

Result<CredentialUsage> UsageService::OfOwnAccessKey(const Principal& owner, std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  if (!found || found->kind != CredentialKind::kAccessKey || found->owner_id != owner.id) return KeyNotFound(id);
  return UsageOf(*found);
}

Result<CredentialUsage> UsageService::OfAccessKey(std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  if (!found || found->kind != CredentialKind::kAccessKey) return KeyNotFound(id);
  return UsageOf(*found);
}

Result<CredentialUsage> UsageService::OfServiceAccount(std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  if (!found || found->kind != CredentialKind::kServiceAccount) return AccountNotFound(id);
  return UsageOf(*found);
}

Result<CredentialUsage> UsageService::UsageOf(const CredentialRecord& credential) const {
  ASSIGN_OR_RETURN(auto stored, store_.GetUsage(credential.id));
  CredentialUsage usage;
  if (stored) usage = std::move(*stored);
  usage.id = credential.id;
  usage.days = RecentDays(usage, clock_.NowMillis());
  return usage;
}

}  // namespace keymint
