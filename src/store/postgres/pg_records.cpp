#include "store/postgres/pg_records.hpp"

#include <algorithm>

#include "store/record_codec.hpp"

namespace keymint::store_postgres {
namespace {

std::string_view KindName(CredentialKind kind) { return kind == CredentialKind::kAccessKey ? "a" : "s"; }

// The credential's scope as store.hpp defines it: its owner for access keys.
std::string_view ScopeOf(const CredentialRecord& c) { return c.owner_id; }

// The columns a user or credential read selects: the record, then its last login (NULL when skipped).
std::string UserSelect(LastLoginField field) {
  return field == LastLoginField::kRead
             ? "SELECT u.record, l.at_ms FROM keymint_users u LEFT JOIN keymint_last_logins l ON l.id = u.id "
             : "SELECT u.record, NULL FROM keymint_users u ";
}

std::string CredentialSelect(LastLoginField field) {
  return field == LastLoginField::kRead
             ? "SELECT c.record, l.at_ms FROM keymint_credentials c LEFT JOIN keymint_last_logins l ON l.id = c.id "
             : "SELECT c.record, NULL FROM keymint_credentials c ";
}

Result<UserRecord> UserAt(const PgResult& rows, int row) {
  auto bytes = rows.Bytes(row, 0);
  std::optional<UserRecord> user = bytes ? store_codec::DecodeUser(*bytes) : std::nullopt;
  if (!user) return Error::Internal("corrupt user record in PostgreSQL");
  if (!rows.IsNull(row, 1)) user->last_login_ms = rows.Int(row, 1);
  return std::move(*user);
}

Result<CredentialRecord> CredentialAt(const PgResult& rows, int row) {
  auto bytes = rows.Bytes(row, 0);
  std::optional<CredentialRecord> credential = bytes ? store_codec::DecodeCredential(*bytes) : std::nullopt;
  if (!credential) return Error::Internal("corrupt credential record in PostgreSQL");
  if (!rows.IsNull(row, 1)) credential->last_login_ms = rows.Int(row, 1);
  return std::move(*credential);
}

Result<std::optional<UserRecord>> OneUser(PgConnection& conn, const std::string& sql, const PgParams& params) {
  ASSIGN_OR_RETURN(auto rows, conn.Exec(sql, params));
  if (rows.rows() == 0) return std::optional<UserRecord>();
  ASSIGN_OR_RETURN(auto user, UserAt(rows, 0));
  return std::optional<UserRecord>(std::move(user));
}

Result<std::optional<CredentialRecord>> OneCredential(PgConnection& conn, const std::string& sql,
                                                      const PgParams& params) {
  ASSIGN_OR_RETURN(auto rows, conn.Exec(sql, params));
  if (rows.rows() == 0) return std::optional<CredentialRecord>();
  ASSIGN_OR_RETURN(auto credential, CredentialAt(rows, 0));
  return std::optional<CredentialRecord>(std::move(credential));
}

Result<std::size_t> Count(PgConnection& conn, std::string_view sql, const PgParams& params) {
  ASSIGN_OR_RETURN(auto rows, conn.Exec(sql, params));
  return static_cast<std::size_t>(rows.Int(0, 0));
}

Status Run(PgConnection& conn, std::string_view sql, const PgParams& params) {
  RETURN_IF_ERROR(conn.Exec(sql, params));
  return Status::Ok();
}

// InvalidArgument unless every key can be stored (IsStorableText).
Status CheckStorable(std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (!IsStorableText(key)) return Error::InvalidArgument("store: a key is not UTF-8 text without NUL");
  }
  return Status::Ok();
}

}  // namespace

bool IsStorableText(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    uint32_t code = 0;
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past Unicode are not UTF-8.
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

Result<std::optional<UserRecord>> ReadUser(PgConnection& conn, std::string_view id, LastLoginField field) {
  if (!IsStorableText(id)) return std::optional<UserRecord>();
  return OneUser(conn, UserSelect(field) + "WHERE u.id = $1", PgParams().Text(id));
}

Result<std::optional<UserRecord>> ReadUserByEmail(PgConnection& conn, std::string_view email) {
  if (!IsStorableText(email)) return std::optional<UserRecord>();
  return OneUser(conn, UserSelect(LastLoginField::kRead) + "WHERE u.email = $1", PgParams().Text(email));
}

Result<std::vector<UserRecord>> ReadUsers(PgConnection& conn) {
  ASSIGN_OR_RETURN(auto rows, conn.Exec(UserSelect(LastLoginField::kRead) + "ORDER BY u.created_ms, u.id"));
  std::vector<UserRecord> users;
  users.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    ASSIGN_OR_RETURN(auto user, UserAt(rows, row));
    users.push_back(std::move(user));
  }
  return users;
}

Result<std::size_t> CountUsers(PgConnection& conn) { return Count(conn, "SELECT COUNT(*) FROM keymint_users", {}); }

Result<std::size_t> CountUsersWithRole(PgConnection& conn, std::string_view role) {
  // Roles live inside the record: decoded here, as the RocksDB store does.
  // Users are few (people, not machines), so reading them all is cheap.
  ASSIGN_OR_RETURN(auto users, ReadUsers(conn));
  return static_cast<std::size_t>(std::count_if(users.begin(), users.end(), [&](const UserRecord& user) {
    return std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end();
  }));
}

Result<std::optional<CredentialRecord>> ReadCredential(PgConnection& conn, std::string_view id, LastLoginField field) {
  if (!IsStorableText(id)) return std::optional<CredentialRecord>();
  return OneCredential(conn, CredentialSelect(field) + "WHERE c.id = $1", PgParams().Text(id));
}

Result<std::optional<CredentialRecord>> ReadCredentialByClientId(PgConnection& conn, std::string_view client_id,
                                                                 LastLoginField field) {
  if (!IsStorableText(client_id)) return std::optional<CredentialRecord>();
  return OneCredential(conn, CredentialSelect(field) + "WHERE c.client_id = $1", PgParams().Text(client_id));
}

Result<std::optional<CredentialRecord>> ReadCredentialByName(PgConnection& conn, CredentialKind kind,
                                                             std::string_view scope, std::string_view name) {
  if (!IsStorableText(scope) || !IsStorableText(name)) return std::optional<CredentialRecord>();
  return OneCredential(conn,
                       CredentialSelect(LastLoginField::kRead) + "WHERE c.kind = $1 AND c.scope = $2 AND c.name = $3",
                       PgParams().Text(KindName(kind)).Text(scope).Text(name));
}

Result<std::vector<CredentialRecord>> ReadCredentials(PgConnection& conn, const CredentialQuery& query) {
  std::vector<CredentialRecord> out;
  if (query.limit == 0) return out;
  // The SQL varies only by which filters are present; their values are parameters.
  std::string sql = CredentialSelect(LastLoginField::kRead) + "WHERE c.kind = $1";
  PgParams params;
  params.Text(KindName(query.kind));
  int next = 2;
  if (query.owner_id) {
    if (!IsStorableText(*query.owner_id)) return out;
    sql += " AND c.owner_id = $" + std::to_string(next++);
    params.Text(*query.owner_id);
  }
  if (query.client_id) {
    if (!IsStorableText(*query.client_id)) return out;
    sql += " AND c.client_id = $" + std::to_string(next++);
    params.Text(*query.client_id);
  }
  sql += " ORDER BY c.created_ms, c.id";
  constexpr std::size_t kNoLimit = static_cast<std::size_t>(INT64_MAX);
  if (query.limit < kNoLimit) {
    sql += " LIMIT $" + std::to_string(next++);
    params.Int(static_cast<int64_t>(query.limit));
  }
  if (query.offset > 0) {
    sql += " OFFSET $" + std::to_string(next++);
    params.Int(static_cast<int64_t>(std::min(query.offset, kNoLimit)));
  }
  ASSIGN_OR_RETURN(auto rows, conn.Exec(sql, params));
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    ASSIGN_OR_RETURN(auto credential, CredentialAt(rows, row));
    out.push_back(std::move(credential));
  }
  return out;
}

Result<std::size_t> CountCredentialsOfOwner(PgConnection& conn, std::string_view owner_id) {
  if (!IsStorableText(owner_id)) return std::size_t{0};
  return Count(conn, "SELECT COUNT(*) FROM keymint_credentials WHERE owner_id = $1", PgParams().Text(owner_id));
}

Result<std::size_t> CountCredentialsOfKind(PgConnection& conn, CredentialKind kind) {
  return Count(conn, "SELECT COUNT(*) FROM keymint_credentials WHERE kind = $1", PgParams().Text(KindName(kind)));
}

Result<std::optional<CredentialUsage>> ReadUsage(PgConnection& conn, std::string_view credential_id) {
  if (!IsStorableText(credential_id)) return std::optional<CredentialUsage>();
  ASSIGN_OR_RETURN(auto rows, conn.Exec("SELECT record FROM keymint_usage WHERE credential_id = $1",
                                        PgParams().Text(credential_id)));
  if (rows.rows() == 0) return std::optional<CredentialUsage>();
  auto bytes = rows.Bytes(0, 0);
  std::optional<CredentialUsage> usage = bytes ? store_codec::DecodeUsage(*bytes) : std::nullopt;
  if (!usage) return Error::Internal("corrupt usage record of credential " + std::string(credential_id));
  return usage;
}

Status InsertUser(PgConnection& conn, const UserRecord& user) {
  RETURN_IF_ERROR(CheckStorable({user.id, user.email}));
  return Run(conn, "INSERT INTO keymint_users (id, email, created_ms, record) VALUES ($1, $2, $3, $4)",
             PgParams().Text(user.id).Text(user.email).Int(user.created_at_ms).Text(store_codec::EncodeUser(user)));
}

Status WriteUserRecord(PgConnection& conn, const UserRecord& user) {
  return Run(conn, "UPDATE keymint_users SET record = $2 WHERE id = $1",
             PgParams().Text(user.id).Text(store_codec::EncodeUser(user)));
}

Status DeleteUserRows(PgConnection& conn, const UserRecord& user) {
  RETURN_IF_ERROR(Run(conn, "DELETE FROM keymint_users WHERE id = $1", PgParams().Text(user.id)));
  return Run(conn, "DELETE FROM keymint_last_logins WHERE id = $1", PgParams().Text(user.id));
}

Status InsertCredential(PgConnection& conn, const CredentialRecord& c) {
  RETURN_IF_ERROR(CheckStorable({c.id, c.client_id, c.name, c.owner_id}));
  return Run(conn,
             "INSERT INTO keymint_credentials (id, client_id, kind, scope, name, owner_id, created_ms, record)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             PgParams()
                 .Text(c.id)
                 .Text(c.client_id)
                 .Text(KindName(c.kind))
                 .Text(ScopeOf(c))
                 .Text(c.name)
                 .Text(c.owner_id)
                 .Int(c.created_at_ms)
                 .Text(store_codec::EncodeCredential(c)));
}

Status WriteCredentialRecord(PgConnection& conn, const CredentialRecord& c) {
  return Run(conn, "UPDATE keymint_credentials SET record = $2 WHERE id = $1",
             PgParams().Text(c.id).Text(store_codec::EncodeCredential(c)));
}

Status DeleteCredentialRows(PgConnection& conn, const CredentialRecord& c) {
  RETURN_IF_ERROR(Run(conn, "DELETE FROM keymint_credentials WHERE id = $1", PgParams().Text(c.id)));
  RETURN_IF_ERROR(Run(conn, "DELETE FROM keymint_last_logins WHERE id = $1", PgParams().Text(c.id)));
  return Run(conn, "DELETE FROM keymint_usage WHERE credential_id = $1", PgParams().Text(c.id));
}

Status WriteUsage(PgConnection& conn, const CredentialUsage& usage) {
  RETURN_IF_ERROR(CheckStorable({usage.id}));
  return Run(conn,
             "INSERT INTO keymint_usage (credential_id, record) VALUES ($1, $2)"
             " ON CONFLICT (credential_id) DO UPDATE SET record = EXCLUDED.record",
             PgParams().Text(usage.id).Text(store_codec::EncodeUsage(usage)));
}

Status UpsertAudit(PgConnection& conn, const AuditRecord& entry) {
  RETURN_IF_ERROR(CheckStorable({entry.id}));
  return Run(conn,
             "INSERT INTO keymint_audit (at_ms, id, record) VALUES ($1, $2, $3)"
             " ON CONFLICT (at_ms, id) DO UPDATE SET record = EXCLUDED.record",
             PgParams().Int(entry.at_ms).Text(entry.id).Text(store_codec::EncodeAudit(entry)));
}

Status UpsertRevokedToken(PgConnection& conn, const RevokedToken& token) {
  RETURN_IF_ERROR(CheckStorable({token.jti}));
  return Run(conn,
             "INSERT INTO keymint_revoked_tokens (jti, expires_ms) VALUES ($1, $2)"
             " ON CONFLICT (jti) DO UPDATE SET expires_ms = EXCLUDED.expires_ms",
             PgParams().Text(token.jti).Int(token.expires_at_ms));
}

}  // namespace keymint::store_postgres
