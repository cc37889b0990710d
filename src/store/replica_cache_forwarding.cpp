// ReplicaCache's Store methods that the cache has nothing to do with: each
// goes to the shared store as it is.
#include "keymint/store/replica_cache.hpp"

namespace keymint {

Result<std::optional<UserRecord>> ReplicaCache::FindUserByEmail(std::string_view email) const {
  return shared_->FindUserByEmail(email);
}
Result<std::vector<UserRecord>> ReplicaCache::ListUsers() const { return shared_->ListUsers(); }
Result<std::optional<CredentialRecord>> ReplicaCache::FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                                           std::string_view name) const {
  return shared_->FindCredentialByName(kind, scope, name);
}
Result<std::vector<CredentialRecord>> ReplicaCache::ListCredentials(const CredentialQuery& query) const {
  return shared_->ListCredentials(query);
}
Result<std::size_t> ReplicaCache::CountCredentialsOfOwner(std::string_view owner_id) const {
  return shared_->CountCredentialsOfOwner(owner_id);
}
Result<std::size_t> ReplicaCache::CountCredentialsOfKind(CredentialKind kind) const {
  return shared_->CountCredentialsOfKind(kind);
}
Status ReplicaCache::RecordLastLogins(const std::vector<LastLogin>& logins) {
  return shared_->RecordLastLogins(logins);
}
Status ReplicaCache::AppendAudit(const AuditRecord& entry) { return shared_->AppendAudit(entry); }
Result<AuditPage> ReplicaCache::ListAudit(const AuditQuery& query) const { return shared_->ListAudit(query); }
Result<std::size_t> ReplicaCache::PruneAudit(int64_t before_ms, std::size_t max_entries) {
  return shared_->PruneAudit(before_ms, max_entries);
}
Status ReplicaCache::Flush() { return shared_->Flush(); }
Status ReplicaCache::Compact() { return shared_->Compact(); }
StoreStatistics ReplicaCache::Statistics() const { return shared_->Statistics(); }
Result<BackupRecord> ReplicaCache::CreateBackup(const std::string& backup_dir) {
  return shared_->CreateBackup(backup_dir);
}
Result<std::vector<BackupRecord>> ReplicaCache::ListBackups(const std::string& backup_dir) const {
  return shared_->ListBackups(backup_dir);
}
Result<std::optional<CredentialUsage>> ReplicaCache::GetUsage(std::string_view credential_id) const {
  return shared_->GetUsage(credential_id);
}
Status ReplicaCache::UpdateUsage(const std::vector<CredentialUsage>& deltas, const UsageMerge& merge) {
  return shared_->UpdateUsage(deltas, merge);
}
Result<std::vector<RevokedToken>> ReplicaCache::ListRevokedTokens() const { return shared_->ListRevokedTokens(); }
// Pruning drops only expired revocations, which refuse nothing any more: no
// change to learn of.
Result<std::size_t> ReplicaCache::PruneRevokedTokens(int64_t now_ms) { return shared_->PruneRevokedTokens(now_ms); }

}  // namespace keymint
