// Serialisation of records to the bytes stored in RocksDB (JSON objects with a
// version field "v", so that the format can evolve). The last-login time is
// not part of a record: it lives in its own table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "keymint/store/records.hpp"

namespace keymint::store_codec {

std::string EncodeUser(const UserRecord& user);
std::optional<UserRecord> DecodeUser(std::string_view bytes);

std::string EncodeCredential(const CredentialRecord& credential);
std::optional<CredentialRecord> DecodeCredential(std::string_view bytes);

std::string EncodeAudit(const AuditRecord& entry);
std::optional<AuditRecord> DecodeAudit(std::string_view bytes);

std::string EncodeUsage(const CredentialUsage& usage);
std::optional<CredentialUsage> DecodeUsage(std::string_view bytes);

}  // namespace keymint::store_codec
