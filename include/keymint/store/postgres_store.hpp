// The store on a PostgreSQL-protocol server (PostgreSQL, CockroachDB,
// YugabyteDB), shared by several keymint processes (README "Deployment:
// several replicas"). It meets store.hpp's contract with these differences:
// - Durability is the server's: a commit is durable once the server says so.
// - Last logins keep the later time (several replicas write them), usage
//   updates are merged on the server in a transaction, and every change to
//   a user, credential or revoked token is numbered in the change feed
//   (change_feed.hpp), which replicas poll.
// - No backups (use pg_dump), no engine figures (Statistics() is zeros),
//   nothing to compact; Flush() has nothing to sync.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "keymint/common/result.hpp"
#include "keymint/store/change_feed.hpp"

namespace keymint {

struct PostgresStoreOptions {
  // Connections to the server at most; a caller waits for a free one.
  std::size_t connections = 8;
  // The change feed keeps at least the newest `changes_kept` changes (a
  // replica that falls further behind starts again: change_feed.hpp); older
  // ones are pruned every `prune_every_commits` commits of this process.
  uint64_t changes_kept = 100'000;
  uint64_t prune_every_commits = 1000;
};

// Connects to the server at `url`, a libpq connection URI
// (postgres://user:password@host:port/db?sslmode=...), and applies the
// schema's migrations. Unavailable, naming the server but never the
// password, when it cannot connect or migrate, or when the database's schema
// is newer than this keymint knows.
Result<std::unique_ptr<SharedStore>> OpenPostgresStore(const std::string& url,
                                                       const PostgresStoreOptions& options = {});

}  // namespace keymint
