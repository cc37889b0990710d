#include "store/postgres/pg_transaction.hpp"

#include "store/postgres/pg_records.hpp"
#include "store/update_rules.hpp"

namespace keymint::store_postgres {

template <typename R>
R PgTransaction::Noted(R result) {
  if (result.ok() || !failure_.ok()) return result;
  const std::string& state = conn_.last_sqlstate();
  if (result.error().code == ErrorCode::kUnavailable) {
    conflicted_ = state == kSerializationFailure || state == kDeadlockDetected;
    // A unique index refused a write that raced a concurrent one past our check.
    if (state == kUniqueViolation) {
      failure_ = Error::AlreadyExists("store: a record with that id, email, client ID or name already exists");
      return failure_.error();
    }
  }
  failure_ = result.error();
  return result;
}

Result<std::optional<UserRecord>> PgTransaction::GetUser(std::string_view id, LastLoginField field) {
  return Noted(ReadUser(conn_, id, field));
}

Result<std::optional<UserRecord>> PgTransaction::FindUserByEmail(std::string_view email) {
  return Noted(ReadUserByEmail(conn_, email));
}

Result<std::size_t> PgTransaction::CountUsers() { return Noted(store_postgres::CountUsers(conn_)); }

Result<std::size_t> PgTransaction::CountUsersWithRole(std::string_view role) {
  return Noted(store_postgres::CountUsersWithRole(conn_, role));
}

Status PgTransaction::CreateUser(const UserRecord& user) {
  return Noted([&]() -> Status {
    // Checked before inserting: a refused INSERT would abort the server's
    // transaction, and the body may go on after AlreadyExists.
    ASSIGN_OR_RETURN(auto by_id, ReadUser(conn_, user.id, LastLoginField::kSkip));
    RETURN_IF_ERROR(CheckUnique(by_id.has_value(), "a user with id " + user.id));
    ASSIGN_OR_RETURN(auto by_email, ReadUserByEmail(conn_, user.email));
    RETURN_IF_ERROR(CheckUnique(by_email.has_value(), "a user with email " + user.email));
    RETURN_IF_ERROR(InsertUser(conn_, user));
    Wrote(ChangeTable::kUser, user.id);
    return Status::Ok();
  }());
}

Status PgTransaction::UpdateUser(const UserRecord& user) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto stored, ReadUser(conn_, user.id, LastLoginField::kSkip));
    if (!stored) return Error::NotFound("store: no user with id " + user.id);
    RETURN_IF_ERROR(store_rules::CheckUserUpdate(*stored, user));
    RETURN_IF_ERROR(WriteUserRecord(conn_, user));
    Wrote(ChangeTable::kUser, user.id);
    return Status::Ok();
  }());
}

Status PgTransaction::DeleteUser(std::string_view id) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto user, ReadUser(conn_, id, LastLoginField::kSkip));
    if (!user) return Error::NotFound("store: no user with id " + std::string(id));
    CredentialQuery owned_query;
    owned_query.owner_id = user->id;
    ASSIGN_OR_RETURN(auto owned, ReadCredentials(conn_, owned_query));
    for (const auto& credential : owned) {
      RETURN_IF_ERROR(DeleteCredentialRows(conn_, credential));
      Wrote(ChangeTable::kCredential, credential.id, credential.client_id);
    }
    RETURN_IF_ERROR(DeleteUserRows(conn_, *user));
    Wrote(ChangeTable::kUser, user->id);
    return Status::Ok();
  }());
}

Result<std::optional<CredentialRecord>> PgTransaction::GetCredential(std::string_view id) {
  return Noted(ReadCredential(conn_, id, LastLoginField::kRead));
}

Result<std::optional<CredentialRecord>> PgTransaction::FindCredentialByClientId(std::string_view client_id,
                                                                                LastLoginField field) {
  return Noted(ReadCredentialByClientId(conn_, client_id, field));
}

Result<std::optional<CredentialRecord>> PgTransaction::FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                                            std::string_view name) {
  return Noted(ReadCredentialByName(conn_, kind, scope, name));
}

Result<std::size_t> PgTransaction::CountCredentialsOfOwner(std::string_view owner_id) {
  return Noted(store_postgres::CountCredentialsOfOwner(conn_, owner_id));
}

Result<std::size_t> PgTransaction::CountCredentialsOfKind(CredentialKind kind) {
  return Noted(store_postgres::CountCredentialsOfKind(conn_, kind));
}

Status PgTransaction::CreateCredential(const CredentialRecord& c) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto by_id, ReadCredential(conn_, c.id, LastLoginField::kSkip));
    RETURN_IF_ERROR(CheckUnique(by_id.has_value(), "a credential with id " + c.id));
    ASSIGN_OR_RETURN(auto by_client, ReadCredentialByClientId(conn_, c.client_id, LastLoginField::kSkip));
    RETURN_IF_ERROR(CheckUnique(by_client.has_value(), "a credential with client ID " + c.client_id));
    ASSIGN_OR_RETURN(auto by_name, ReadCredentialByName(conn_, c.kind, c.owner_id, c.name));
    RETURN_IF_ERROR(CheckUnique(by_name.has_value(), "a credential named " + c.name + " in its scope"));
    RETURN_IF_ERROR(InsertCredential(conn_, c));
    Wrote(ChangeTable::kCredential, c.id, c.client_id);
    return Status::Ok();
  }());
}

Status PgTransaction::UpdateCredential(const CredentialRecord& c) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto stored, ReadCredential(conn_, c.id, LastLoginField::kSkip));
    if (!stored) return Error::NotFound("store: no credential with id " + c.id);
    RETURN_IF_ERROR(store_rules::CheckCredentialUpdate(*stored, c));
    RETURN_IF_ERROR(WriteCredentialRecord(conn_, c));
    Wrote(ChangeTable::kCredential, c.id, c.client_id);
    return Status::Ok();
  }());
}

Status PgTransaction::DeleteCredential(std::string_view id) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto credential, ReadCredential(conn_, id, LastLoginField::kSkip));
    if (!credential) return Error::NotFound("store: no credential with id " + std::string(id));
    RETURN_IF_ERROR(DeleteCredentialRows(conn_, *credential));
    Wrote(ChangeTable::kCredential, credential->id, credential->client_id);
    return Status::Ok();
  }());
}

Status PgTransaction::AppendAudit(const AuditRecord& entry) {
  return Noted([&]() -> Status {
    return UpsertAudit(conn_, entry);  // the audit log is not in the change feed
  }());
}

Status PgTransaction::AddRevokedToken(const RevokedToken& token) {
  return Noted([&]() -> Status {
    RETURN_IF_ERROR(UpsertRevokedToken(conn_, token));
    Wrote(ChangeTable::kRevokedToken, token.jti);
    return Status::Ok();
  }());
}

Status PgTransaction::MergeUsage(const CredentialUsage& delta, const UsageMerge& merge) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto stored, ReadUsage(conn_, delta.id));
    CredentialUsage record;
    if (stored) record = std::move(*stored);
    record.id = delta.id;
    merge(record, delta);
    return WriteUsage(conn_, record);  // usage is not in the change feed
  }());
}

Status PgTransaction::CheckUnique(bool taken, std::string_view what) {
  if (taken) return Error::AlreadyExists("store: " + std::string(what) + " already exists");
  return Status::Ok();
}

void PgTransaction::Wrote(ChangeTable table, std::string_view id, std::string_view client_id) {
  changes_.push_back(Change{0, table, std::string(id), std::string(client_id)});
}

}  // namespace keymint::store_postgres
