// `keymint migrate` (README "Deployment: several replicas"): copies one store
// into another, from the embedded RocksDB store into an empty shared one.
// Run it with keymint stopped: the source is read outside transactions, so a
// change made meanwhile may be copied in part.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "keymint/common/result.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// What a copy wrote.
struct MigrationReport {
  std::size_t users = 0;
  std::size_t access_keys = 0;
  std::size_t service_accounts = 0;
  std::size_t last_logins = 0;    // of users and credentials
  std::size_t usage_records = 0;  // credentials with usage
  std::size_t audit_entries = 0;
  std::size_t revoked_tokens = 0;  // not yet expired at the copy

  friend bool operator==(const MigrationReport&, const MigrationReport&) = default;
};

// Copies every user, access key, service account, last login, usage record,
// audit entry and revoked token of `from` into `to`, keeping ids, times and
// secret hashes (so the same secret-hash.key verifies them). Records are
// written in transactions of a few hundred, users before the keys they own;
// then both stores are counted again and must agree. `progress`, when given,
// receives a line for a person after each table.
//
// `to` must hold no users and no credentials: AlreadyExists otherwise (say, a
// replica already started against it and created its first admin), and
// nothing is written. A failure part way leaves `to` partly filled: empty it
// (drop its tables) and run the copy again.
Result<MigrationReport> CopyStore(const Store& from, Store& to,
                                  const std::function<void(std::string_view)>& progress = {});

}  // namespace keymint
