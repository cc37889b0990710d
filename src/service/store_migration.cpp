#include "keymint/service/store_migration.hpp"

#include <string>
#include <utility>
#include <vector>

namespace keymint {
namespace {

// Records per transaction: large enough that a million keys take a few
// thousand commits, small enough that one retried transaction redoes little.
constexpr std::size_t kBatch = 500;
// Credentials read per ListCredentials call (paged by offset).
constexpr std::size_t kCredentialPage = 10000;
constexpr std::size_t kAuditPage = 1000;

// The destination holds no usage yet: each record arrives whole.
void ReplaceUsage(CredentialUsage& stored, const CredentialUsage& copied) { stored = copied; }

void Tell(const std::function<void(std::string_view)>& progress, const std::string& line) {
  if (progress) progress(line);
}

// Writes `records` in transactions of kBatch, each through `create`.
template <typename Record, typename Create>
Status WriteInBatches(Store& to, const std::vector<Record>& records, Create create) {
  for (std::size_t start = 0; start < records.size(); start += kBatch) {
    const std::size_t end = std::min(records.size(), start + kBatch);
    const TransactionBody body = [&](StoreTransaction& tx) -> Status {
      for (std::size_t i = start; i < end; ++i) RETURN_IF_ERROR(create(tx, records[i]));
      return Status::Ok();
    };
    RETURN_IF_ERROR(to.RunTransaction(body));
  }
  return Status::Ok();
}

Result<bool> IsEmpty(const Store& store) {
  ASSIGN_OR_RETURN(auto users, store.ListUsers());
  if (!users.empty()) return false;
  for (CredentialKind kind : {CredentialKind::kAccessKey, CredentialKind::kServiceAccount}) {
    ASSIGN_OR_RETURN(std::size_t count, store.CountCredentialsOfKind(kind));
    if (count > 0) return false;
  }
  return true;
}

// Copies one kind of credential, a page at a time, with their last logins
// and usage. Owners were copied before.
Status CopyCredentials(const Store& from, Store& to, CredentialKind kind, std::size_t& copied,
                       MigrationReport& report) {
  CredentialQuery query;
  query.kind = kind;
  query.limit = kCredentialPage;
  for (query.offset = 0;; query.offset += kCredentialPage) {
    ASSIGN_OR_RETURN(auto page, from.ListCredentials(query));
    RETURN_IF_ERROR(WriteInBatches(to, page, [](StoreTransaction& tx, const CredentialRecord& credential) {
      return tx.CreateCredential(credential);
    }));
    std::vector<LastLogin> logins;
    std::vector<CredentialUsage> usage;
    for (const CredentialRecord& credential : page) {
      if (credential.last_login_ms) logins.push_back({credential.id, *credential.last_login_ms});
      ASSIGN_OR_RETURN(auto used, from.GetUsage(credential.id));
      if (used) usage.push_back(std::move(*used));
    }
    if (!logins.empty()) RETURN_IF_ERROR(to.RecordLastLogins(logins));
    if (!usage.empty()) RETURN_IF_ERROR(to.UpdateUsage(usage, ReplaceUsage));
    copied += page.size();
    report.last_logins += logins.size();
    report.usage_records += usage.size();
    if (page.size() < kCredentialPage) return Status::Ok();
  }
}

// Newest first, as the log is read; each entry keeps its time and id.
Status CopyAudit(const Store& from, Store& to, MigrationReport& report) {
  AuditQuery query;
  query.limit = kAuditPage;
  query.scan_budget = kAuditPage;  // no filter: every entry read is one returned
  while (true) {
    ASSIGN_OR_RETURN(AuditPage page, from.ListAudit(query));
    RETURN_IF_ERROR(WriteInBatches(
        to, page.entries, [](StoreTransaction& tx, const AuditRecord& entry) { return tx.AppendAudit(entry); }));
    report.audit_entries += page.entries.size();
    if (page.next.empty()) return Status::Ok();
    query.after = std::move(page.next);
  }
}

Status CheckCounts(const Store& to, const MigrationReport& report) {
  ASSIGN_OR_RETURN(auto users, to.ListUsers());
  ASSIGN_OR_RETURN(std::size_t keys, to.CountCredentialsOfKind(CredentialKind::kAccessKey));
  ASSIGN_OR_RETURN(std::size_t accounts, to.CountCredentialsOfKind(CredentialKind::kServiceAccount));
  if (users.size() != report.users || keys != report.access_keys || accounts != report.service_accounts) {
    return Error::Internal("the copy holds " + std::to_string(users.size()) + " users, " + std::to_string(keys) +
                           " access keys and " + std::to_string(accounts) + " service accounts; " +
                           std::to_string(report.users) + ", " + std::to_string(report.access_keys) + " and " +
                           std::to_string(report.service_accounts) + " were written");
  }
  return Status::Ok();
}

}  // namespace

Result<MigrationReport> CopyStore(const Store& from, Store& to, const std::function<void(std::string_view)>& progress) {
  ASSIGN_OR_RETURN(bool empty, IsEmpty(to));
  if (!empty) {
    return Error::AlreadyExists(
        "the destination store already holds users or credentials; migrate into an empty database, before any "
        "replica starts on it");
  }
  MigrationReport report;

  ASSIGN_OR_RETURN(auto users, from.ListUsers());
  RETURN_IF_ERROR(
      WriteInBatches(to, users, [](StoreTransaction& tx, const UserRecord& user) { return tx.CreateUser(user); }));
  std::vector<LastLogin> logins;
  for (const UserRecord& user : users) {
    if (user.last_login_ms) logins.push_back({user.id, *user.last_login_ms});
  }
  if (!logins.empty()) RETURN_IF_ERROR(to.RecordLastLogins(logins));
  report.users = users.size();
  report.last_logins = logins.size();
  Tell(progress, "copied " + std::to_string(report.users) + " users");

  RETURN_IF_ERROR(CopyCredentials(from, to, CredentialKind::kAccessKey, report.access_keys, report));
  Tell(progress, "copied " + std::to_string(report.access_keys) + " access keys");
  RETURN_IF_ERROR(CopyCredentials(from, to, CredentialKind::kServiceAccount, report.service_accounts, report));
  Tell(progress, "copied " + std::to_string(report.service_accounts) + " service accounts");

  RETURN_IF_ERROR(CopyAudit(from, to, report));
  Tell(progress, "copied " + std::to_string(report.audit_entries) + " audit log entries");

  ASSIGN_OR_RETURN(auto revoked, from.ListRevokedTokens());
  for (const RevokedToken& token : revoked) RETURN_IF_ERROR(to.AddRevokedToken(token));
  report.revoked_tokens = revoked.size();
  Tell(progress, "copied " + std::to_string(report.revoked_tokens) + " revoked tokens");

  RETURN_IF_ERROR(to.Flush());
  RETURN_IF_ERROR(CheckCounts(to, report));
  return report;
}

}  // namespace keymint
