#include "store/postgres/change_log.hpp"

#include <algorithm>
#include <string>

namespace keymint::store_postgres {
namespace {

std::string_view TableName(ChangeTable table) {
  switch (table) {
    case ChangeTable::kUser:
      return "user";
    case ChangeTable::kCredential:
      return "credential";
    case ChangeTable::kRevokedToken:
      return "revoked_token";
  }
  return "user";
}

std::optional<ChangeTable> TableOf(std::string_view name) {
  if (name == "user") return ChangeTable::kUser;
  if (name == "credential") return ChangeTable::kCredential;
  if (name == "revoked_token") return ChangeTable::kRevokedToken;
  return std::nullopt;
}

// Rows per INSERT: well under the protocol's 65,535 parameters.
constexpr std::size_t kRowsPerInsert = 1000;

}  // namespace

Status NumberChanges(PgConnection& conn, const std::vector<Change>& changes) {
  if (changes.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto counter,
                   conn.Exec("UPDATE keymint_change_counter SET seq = seq + $1 WHERE singleton = TRUE RETURNING seq",
                             PgParams().Int(static_cast<int64_t>(changes.size()))));
  if (counter.rows() != 1) return Error::Internal("the change counter row is missing");
  const int64_t first = counter.Int(0, 0) - static_cast<int64_t>(changes.size()) + 1;
  for (std::size_t start = 0; start < changes.size(); start += kRowsPerInsert) {
    const std::size_t end = std::min(changes.size(), start + kRowsPerInsert);
    std::string sql = "INSERT INTO keymint_changes (seq, table_name, id, client_id) VALUES ";
    PgParams params;
    for (std::size_t i = start; i < end; ++i) {
      const int p = static_cast<int>((i - start) * 4) + 1;
      sql += (i == start ? "($" : ", ($") + std::to_string(p) + ", $" + std::to_string(p + 1) + ", $" +
             std::to_string(p + 2) + ", $" + std::to_string(p + 3) + ")";
      params.Int(first + static_cast<int64_t>(i))
          .Text(TableName(changes[i].table))
          .Text(changes[i].id)
          .Text(changes[i].client_id);
    }
    RETURN_IF_ERROR(conn.Exec(sql, params));
  }
  return Status::Ok();
}

Result<uint64_t> ReadLatestChangeSeq(PgConnection& conn) {
  ASSIGN_OR_RETURN(auto rows, conn.Exec("SELECT seq FROM keymint_change_counter WHERE singleton = TRUE"));
  if (rows.rows() != 1) return Error::Internal("the change counter row is missing");
  return static_cast<uint64_t>(rows.Int(0, 0));
}

Result<std::vector<Change>> ReadChangesAfter(PgConnection& conn, uint64_t after, std::size_t limit) {
  std::vector<Change> changes;
  if (limit == 0) return changes;
  constexpr std::size_t kMaxRows = 1'000'000;
  ASSIGN_OR_RETURN(auto rows, conn.Exec("SELECT seq, table_name, id, client_id FROM keymint_changes"
                                        " WHERE seq > $1 ORDER BY seq LIMIT $2",
                                        PgParams()
                                            .Int(static_cast<int64_t>(std::min<uint64_t>(after, INT64_MAX)))
                                            .Int(static_cast<int64_t>(std::min(limit, kMaxRows)))));
  changes.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    auto table = TableOf(rows.Text(row, 1));
    if (!table) return Error::Internal("unknown table in change " + std::string(rows.Text(row, 0)));
    changes.push_back(Change{static_cast<uint64_t>(rows.Int(row, 0)), *table, std::string(rows.Text(row, 2)),
                             std::string(rows.Text(row, 3))});
  }
  return changes;
}

Status PruneChanges(PgConnection& conn, uint64_t keep) {
  ASSIGN_OR_RETURN(uint64_t latest, ReadLatestChangeSeq(conn));
  if (latest <= keep) return Status::Ok();
  RETURN_IF_ERROR(
      conn.Exec("DELETE FROM keymint_changes WHERE seq <= $1", PgParams().Int(static_cast<int64_t>(latest - keep))));
  return Status::Ok();
}

}  // namespace keymint::store_postgres
