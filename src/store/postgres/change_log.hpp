// The change feed's tables (keymint_changes, keymint_change_counter): how a
// committing transaction numbers its changes, how readers page through
// them, and how old ones are pruned.
//
// Why the sequence is gap-free and in commit order: every transaction that
// changes a record updates the single counter row (NumberChanges) just
// before it commits. The row lock serialises those writers: a second one
// waits until the first has committed, and then, being SERIALIZABLE and
// having updated a row a concurrent transaction changed, fails with 40001
// and runs again on a fresh snapshot; a transaction that rolls back undoes
// its increment. So seqs are taken one commit after another, with no number
// skipped, and change N+1 commits only after change N is visible: a reader
// of ChangesAfter never sees N+1 without N (change_feed.hpp relies on it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/change_feed.hpp"
#include "store/postgres/pg_connection.hpp"

namespace keymint::store_postgres {

// Inside a transaction, as its last statements before COMMIT: takes the next
// changes.size() sequence numbers and inserts one keymint_changes row per change.
Status NumberChanges(PgConnection& conn, const std::vector<Change>& changes);

Result<uint64_t> ReadLatestChangeSeq(PgConnection& conn);
Result<std::vector<Change>> ReadChangesAfter(PgConnection& conn, uint64_t after, std::size_t limit);
// Deletes the changes more than `keep` behind the newest (autocommit).
Status PruneChanges(PgConnection& conn, uint64_t keep);

}  // namespace keymint::store_postgres
