// Record-level reads (users, credentials, their indexes and last logins) over
// the keys of key_layout.hpp, from any source of those keys: the database as
// committed, or a transaction's view of it. The one place that knows how a
// record is assembled from its keys.
#pragma once

#include <rocksdb/iterator.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"
#include "keymint/store/store.hpp"

namespace keymint::store_rocksdb {

// Where the bytes come from.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // The value under `key`, or nullopt.
  virtual Result<std::optional<std::string>> Get(const std::string& key) const = 0;
  // An iterator for reading the keys that start with `prefix`; the caller
  // seeks it and stops at the end of the prefix.
  virtual std::unique_ptr<rocksdb::Iterator> NewIterator(std::string_view prefix) const = 0;
};

// Reads through a KeySource it does not own. Thread-safe when the source is.
class RecordReader {
 public:
  explicit RecordReader(const KeySource& source) : source_(source) {}

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const;
  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const;
  Result<std::vector<UserRecord>> ListUsers() const;
  Result<std::size_t> CountUsers() const;
  Result<std::size_t> CountUsersWithRole(std::string_view role) const;

  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id, LastLoginField field) const;
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const;
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const;
  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const;
  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const;
  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const;

  // Whether anything is stored under `key`.
  Result<bool> Has(const std::string& key) const;

 private:
  Result<std::optional<int64_t>> ReadLastLogin(std::string_view id) const;
  Result<std::optional<CredentialRecord>> GetByIndex(const std::string& index_key, LastLoginField field) const;
  // Calls `visit` with the id at the end of every key under `prefix`, in key
  // order, while it returns true.
  template <typename Visit>
  Status ScanIndex(std::string_view prefix, Visit&& visit) const;
  // The number of entries under an index prefix, read from the keys alone.
  Result<std::size_t> CountIndex(std::string_view prefix) const;

  const KeySource& source_;
};

}  // namespace keymint::store_rocksdb
