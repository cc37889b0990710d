// A Store that forwards every call to another one: the base of stores that
// change one behaviour and leave the rest as the store behind them does it
// (LocalStoreCache; in tests, stores that fail or watch one call).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/store/store.hpp"

namespace keymint {

class ForwardingStore : public Store {
 public:
  // Keeps a reference to `inner`, which must outlive this store.
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Status RunTransaction(const TransactionBody& body) override { return inner_.RunTransaction(body); }
  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override {
    return inner_.GetUser(id, field);
  }
  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    return inner_.FindUserByEmail(email);
  }
  Result<std::vector<UserRecord>> ListUsers() const override { return inner_.ListUsers(); }
  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override {
    return inner_.GetCredential(id);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override {
    return inner_.FindCredentialByClientId(client_id, field);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const override {
    return inner_.FindCredentialByName(kind, scope, name);
  }
  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const override {
    return inner_.ListCredentials(query);
  }
  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return inner_.CountCredentialsOfOwner(owner_id);
  }
  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return inner_.CountCredentialsOfKind(kind);
  }
  Status RecordLastLogins(const std::vector<LastLogin>& logins) override { return inner_.RecordLastLogins(logins); }
  Status AppendAudit(const AuditRecord& entry) override { return inner_.AppendAudit(entry); }
  Result<AuditPage> ListAudit(const AuditQuery& query) const override { return inner_.ListAudit(query); }
  Result<std::size_t> PruneAudit(int64_t before_ms, std::size_t max_entries) override {
    return inner_.PruneAudit(before_ms, max_entries);
  }
  Result<std::optional<CredentialUsage>> GetUsage(std::string_view credential_id) const override {
    return inner_.GetUsage(credential_id);
  }
  Status UpdateUsage(const std::vector<CredentialUsage>& deltas, const UsageMerge& merge) override {
    return inner_.UpdateUsage(deltas, merge);
  }
  Status AddRevokedToken(const RevokedToken& token) override { return inner_.AddRevokedToken(token); }
  Result<std::vector<RevokedToken>> ListRevokedTokens() const override { return inner_.ListRevokedTokens(); }
  Result<std::size_t> PruneRevokedTokens(int64_t now_ms) override { return inner_.PruneRevokedTokens(now_ms); }
  Status Flush() override { return inner_.Flush(); }
  Status Compact() override { return inner_.Compact(); }
  StoreStatistics Statistics() const override { return inner_.Statistics(); }
  Result<BackupRecord> CreateBackup(const std::string& backup_dir) override { return inner_.CreateBackup(backup_dir); }
  Result<std::vector<BackupRecord>> ListBackups(const std::string& backup_dir) const override {
    return inner_.ListBackups(backup_dir);
  }

 protected:
  Store& inner() const { return inner_; }

 private:
  Store& inner_;
};

}  // namespace keymint
