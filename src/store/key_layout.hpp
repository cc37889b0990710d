// The only code that knows how records and indexes are laid out in RocksDB.
//
// All keys live in the default column family; the prefix names the table:
//
//   u:<user id>                          -> user record (JSON)
//   ue:<email>                           -> user id                (unique email)
//   ut:<created ms, 16 digits>:<user id> -> ""                     (users by creation)
//   c:<credential id>                    -> credential record (JSON)
//   cc:<client id>                       -> credential id          (unique client ID)
//   cn:<kind>:<scope>:<name>             -> credential id          (unique name in scope)
//   co:<owner id>:<created ms>:<cred id> -> ""                     (an owner's keys by creation)
//   ck:<kind>:<created ms>:<cred id>     -> ""                     (all of a kind by creation)
//   ll:<user or credential id>           -> last login, ms (decimal text)
//   al:<inverted ms, 16 digits>:<id>     -> audit entry (JSON)      (newest first)
//   cu:<credential id>                   -> credential usage (JSON)
//   rt:<jti>                             -> revoked token's expiry, ms (decimal text)
//
// <kind> is "a" (access key) or "s" (service account); <scope> is the owner's
// user id for access keys and empty for service accounts. Ids are UUIDs and
// names match ^[a-z][-_a-z0-9]*[a-z0-9]$, so ':' never appears inside a part
// that is followed by another part. Creation times are zero-padded so that
// byte order is time order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keymint/store/records.hpp"

namespace keymint::store_layout {

std::string UserKey(std::string_view id);
std::string UserEmailKey(std::string_view email);
std::string UserTimeKey(int64_t created_ms, std::string_view id);
inline constexpr std::string_view kUserTimePrefix = "ut:";

std::string CredentialKey(std::string_view id);
std::string ClientIdKey(std::string_view client_id);
std::string CredentialNameKey(CredentialKind kind, std::string_view scope, std::string_view name);
std::string OwnerIndexPrefix(std::string_view owner_id);
std::string OwnerIndexKey(std::string_view owner_id, int64_t created_ms, std::string_view id);
std::string KindIndexPrefix(CredentialKind kind);
std::string KindIndexKey(CredentialKind kind, int64_t created_ms, std::string_view id);

std::string LastLoginKey(std::string_view id);
std::string UsageKey(std::string_view credential_id);

inline constexpr std::string_view kRevokedTokenPrefix = "rt:";
std::string RevokedTokenKey(std::string_view jti);

inline constexpr std::string_view kAuditPrefix = "al:";
std::string AuditKey(int64_t at_ms, std::string_view id);
// The first key of the entries at `at_ms` or earlier.
std::string AuditTimeKey(int64_t at_ms);
// The time an audit key carries, or nullopt when `key` is not one (an
// audit key: the prefix, 16 digits, ':', an id of [0-9a-zA-Z_-], 1 to 64 long).
std::optional<int64_t> AuditKeyTime(std::string_view key);

// The record id at the end of an index key ("...:<id>").
std::string_view IdFromIndexKey(std::string_view key);

}  // namespace keymint::store_layout
