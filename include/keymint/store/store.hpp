// The persistent store: users, credentials and their indexes.
//
// Guarantees (API.md §8):
// - Every Create/Update/Delete is one atomic write batch, synced to disk
//   before it returns OK: a crash loses no acknowledged change and leaves no
//   half-written record or dangling index.
// - RecordLastLogins is NOT synced (it is on the token path's side channel);
//   Close() flushes it.
// - Lookups by id, client ID, owner and name are indexed point or prefix
//   reads: their cost does not grow with the number of records.
// The store checks no business rules (limits, permissions); callers that need
// check-then-write atomicity serialise their writes (the services share one
// management write mutex, made in main.cpp).
// Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"

namespace keymint {

// Filters for listing credentials of one kind across owners.
struct CredentialQuery {
  CredentialKind kind = CredentialKind::kAccessKey;
  std::optional<std::string> owner_id;   // only this owner's
  std::optional<std::string> client_id;  // only this client ID
  std::size_t offset = 0;
  std::size_t limit = SIZE_MAX;
};

// Whether a read fills in last_login_ms. Last logins live in a table of their
// own; the token path and bearer authentication do not need them and skip the
// extra point read.
enum class LastLoginField { kRead, kSkip };

class Store {
 public:
  virtual ~Store() = default;

  // Users.
  virtual Result<std::optional<UserRecord>> GetUser(std::string_view id,
                                                    LastLoginField field = LastLoginField::kRead) const = 0;
  virtual Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() const = 0;  // by creation time
  virtual Status CreateUser(const UserRecord& user) = 0;          // email index too
  virtual Status UpdateUser(const UserRecord& user) = 0;          // email is immutable
  // Deletes the user and, in the same batch, every credential they own.
  virtual Status DeleteUser(const UserRecord& user) = 0;

  // Credentials.
  virtual Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const = 0;
  virtual Result<std::optional<CredentialRecord>> FindCredentialByClientId(
      std::string_view client_id, LastLoginField field = LastLoginField::kRead) const = 0;
  // `scope` is the owner id for access keys, "" for service accounts.
  virtual Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                                       std::string_view name) const = 0;
  // Matching credentials ordered by creation time, then id.
  virtual Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const = 0;
  virtual Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const = 0;
  virtual Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const = 0;  // index keys only
  virtual Status CreateCredential(const CredentialRecord& credential) = 0;            // all indexes
  // Rewrites the record; name, kind, owner and client ID are immutable.
  virtual Status UpdateCredential(const CredentialRecord& credential) = 0;
  virtual Status DeleteCredential(const CredentialRecord& credential) = 0;

  // Last logins of users and credentials, keyed by record id. Not synced.
  virtual Status RecordLastLogins(const std::vector<LastLogin>& logins) = 0;

  // Flushes unsynced writes to disk (WAL sync). Call before exit.
  virtual Status Flush() = 0;
};

// Opens (creating if needed) the RocksDB store in `dir`. Fails with a message
// naming the directory, e.g. when another keymint holds its lock.
Result<std::unique_ptr<Store>> OpenRocksDbStore(const std::string& dir);

}  // namespace keymint
