#include "store/postgres/audit_log.hpp"

#include <algorithm>
#include <string>

#include "store/key_layout.hpp"
#include "store/record_codec.hpp"

namespace keymint::store_postgres {
namespace layout = store_layout;
namespace {

bool Matches(const AuditRecord& e, const AuditQuery& q) {
  return (!q.actor || e.actor == *q.actor || e.actor_id == *q.actor) && (!q.action || e.action == *q.action) &&
         (!q.target || e.target == *q.target);
}

std::string Position(int64_t at_ms, std::string_view id) {
  return layout::AuditKey(at_ms, id).substr(layout::kAuditPrefix.size());
}

// More rows than any page reads: the bound of a LIMIT when the budget is "all".
constexpr std::size_t kMaxRows = 1'000'000'000;

}  // namespace

Result<AuditPage> ReadAuditPage(PgConnection& conn, const AuditQuery& q) {
  // Entries come newest first (at_ms descending, then id ascending), as the
  // RocksDB store's keys order them; the SQL varies only by which bounds are present.
  std::string sql = "SELECT at_ms, id, record FROM keymint_audit WHERE TRUE";
  PgParams params;
  int next = 1;
  if (!q.after.empty()) {
    const std::string key = std::string(layout::kAuditPrefix) + q.after;
    auto at = layout::AuditKeyTime(key);
    if (!at) return Error::InvalidArgument("cursor is not a position in the audit log");
    const std::string id = key.substr(key.find(':', layout::kAuditPrefix.size()) + 1);
    sql += " AND (at_ms < $" + std::to_string(next) + " OR (at_ms = $" + std::to_string(next) + " AND id > $" +
           std::to_string(next + 1) + "))";
    next += 2;
    params.Int(*at).Text(id);
  }
  if (q.to_ms) {
    sql += " AND at_ms <= $" + std::to_string(next++);
    params.Int(*q.to_ms);
  }
  if (q.from_ms) {
    sql += " AND at_ms >= $" + std::to_string(next++);
    params.Int(*q.from_ms);
  }
  // One row past the budget says whether anything is left to read.
  const std::size_t budget = std::min(q.scan_budget, kMaxRows);
  sql += " ORDER BY at_ms DESC, id ASC LIMIT $" + std::to_string(next++);
  params.Int(static_cast<int64_t>(budget + 1));
  ASSIGN_OR_RETURN(auto rows, conn.Exec(sql, params));

  AuditPage page;
  const auto total = static_cast<std::size_t>(rows.rows());
  std::size_t row = 0;  // the next row to read
  while (row < total) {
    if (row == budget) break;  // `next` is the last entry read
    const int r = static_cast<int>(row++);
    auto bytes = rows.Bytes(r, 2);
    std::optional<AuditRecord> entry = bytes ? store_codec::DecodeAudit(*bytes) : std::nullopt;
    if (!entry) return Error::Internal("corrupt audit entry " + std::string(rows.Text(r, 1)));
    page.next = Position(rows.Int(r, 0), rows.Text(r, 1));
    if (!Matches(*entry, q)) continue;
    page.entries.push_back(std::move(*entry));
    if (page.entries.size() == q.limit) break;  // a full page says "more" only when there is more to read
  }
  if (row >= total) page.next.clear();
  return page;
}

Result<std::size_t> PruneAuditLog(PgConnection& conn, int64_t before_ms, std::size_t max_entries) {
  ASSIGN_OR_RETURN(auto deleted,
                   conn.Exec("DELETE FROM keymint_audit WHERE (at_ms, id) IN (SELECT at_ms, id FROM keymint_audit"
                             " WHERE at_ms < $1 ORDER BY at_ms DESC, id ASC LIMIT $2)",
                             PgParams().Int(before_ms).Int(static_cast<int64_t>(std::min(max_entries, kMaxRows)))));
  return static_cast<std::size_t>(deleted.Affected());
}

}  // namespace keymint::store_postgres
