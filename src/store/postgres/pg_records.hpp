// Record-level reads and writes over the tables of schema.cpp, on one
// connection: in autocommit (the Store's reads) or inside a transaction
// (PgTransaction). The one place that knows how a record maps to its rows.
// Record bodies are record_codec's encoding; last logins are joined in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"
#include "keymint/store/store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace keymint::store_postgres {

// Whether `text` can be stored in a TEXT column (UTF-8 without NUL). A key
// that cannot was never stored, so a lookup by it finds nothing without
// asking the server, which would refuse it (hostile input on the token path).
bool IsStorableText(std::string_view text);

Result<std::optional<UserRecord>> ReadUser(PgConnection& conn, std::string_view id, LastLoginField field);
Result<std::optional<UserRecord>> ReadUserByEmail(PgConnection& conn, std::string_view email);
Result<std::vector<UserRecord>> ReadUsers(PgConnection& conn);
Result<std::size_t> CountUsers(PgConnection& conn);
Result<std::size_t> CountUsersWithRole(PgConnection& conn, std::string_view role);

Result<std::optional<CredentialRecord>> ReadCredential(PgConnection& conn, std::string_view id, LastLoginField field);
Result<std::optional<CredentialRecord>> ReadCredentialByClientId(PgConnection& conn, std::string_view client_id,
                                                                 LastLoginField field);
Result<std::optional<CredentialRecord>> ReadCredentialByName(PgConnection& conn, CredentialKind kind,
                                                             std::string_view scope, std::string_view name);
Result<std::vector<CredentialRecord>> ReadCredentials(PgConnection& conn, const CredentialQuery& query);
Result<std::size_t> CountCredentialsOfOwner(PgConnection& conn, std::string_view owner_id);
Result<std::size_t> CountCredentialsOfKind(PgConnection& conn, CredentialKind kind);

Result<std::optional<CredentialUsage>> ReadUsage(PgConnection& conn, std::string_view credential_id);

// Writes, for a transaction's body (unique checks are the caller's).
Status InsertUser(PgConnection& conn, const UserRecord& user);
Status WriteUserRecord(PgConnection& conn, const UserRecord& user);
// The user's row and last login (not their credentials).
Status DeleteUserRows(PgConnection& conn, const UserRecord& user);
Status InsertCredential(PgConnection& conn, const CredentialRecord& credential);
Status WriteCredentialRecord(PgConnection& conn, const CredentialRecord& credential);
// The credential's row, last login and usage.
Status DeleteCredentialRows(PgConnection& conn, const CredentialRecord& credential);
Status WriteUsage(PgConnection& conn, const CredentialUsage& usage);

// Either inside a transaction or in autocommit.
Status UpsertAudit(PgConnection& conn, const AuditRecord& entry);
Status UpsertRevokedToken(PgConnection& conn, const RevokedToken& token);

}  // namespace keymint::store_postgres
