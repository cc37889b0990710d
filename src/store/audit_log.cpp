#include "store/audit_log.hpp"

#include <rocksdb/write_batch.h>

#include <memory>
#include <string>

#include "store/key_layout.hpp"
#include "store/record_codec.hpp"
#include "store/rocksdb_error.hpp"

namespace keymint::store_rocksdb {
namespace layout = store_layout;
namespace {

// The first key past the table, so that iterators stop at its end.
const std::string kAuditEnd = std::string(layout::kAuditPrefix.substr(0, layout::kAuditPrefix.size() - 1)) + ';';

bool Matches(const AuditRecord& e, const AuditQuery& q) {
  return (!q.actor || e.actor == *q.actor || e.actor_id == *q.actor) && (!q.action || e.action == *q.action) &&
         (!q.target || e.target == *q.target);
}

std::string Position(const rocksdb::Slice& key) { return key.ToString().substr(layout::kAuditPrefix.size()); }

// An iterator over the audit table, stopping at its end.
std::unique_ptr<rocksdb::Iterator> AuditIterator(rocksdb::DB& db, rocksdb::Slice& upper_bound) {
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  return std::unique_ptr<rocksdb::Iterator>(db.NewIterator(options));
}

}  // namespace

Result<AuditPage> ReadAuditPage(rocksdb::DB& db, const AuditQuery& q) {
  std::string start(layout::kAuditPrefix);
  if (!q.after.empty()) {
    start += q.after;
    if (!layout::AuditKeyTime(start)) return Error::InvalidArgument("cursor is not a position in the audit log");
    start += '\0';  // the first key after the previous page's last
  }
  if (q.to_ms) start = std::max(start, layout::AuditTimeKey(*q.to_ms));

  AuditPage page;
  rocksdb::Slice upper_bound(kAuditEnd);
  auto it = AuditIterator(db, upper_bound);
  // Whether the entry under the iterator is one the query's time range keeps.
  auto in_range = [&]() {
    if (!it->Valid()) return false;
    auto at = layout::AuditKeyTime(it->key().ToStringView());
    return at && (!q.from_ms || *at >= *q.from_ms);
  };
  std::size_t scanned = 0;
  for (it->Seek(start); in_range(); it->Next()) {
    if (scanned == q.scan_budget) break;  // `next` is the last entry read
    ++scanned;
    auto entry = store_codec::DecodeAudit(it->value().ToStringView());
    if (!entry) return Error::Internal("corrupt audit entry " + it->key().ToString());
    page.next = Position(it->key());
    if (!Matches(*entry, q)) continue;
    page.entries.push_back(std::move(*entry));
    if (page.entries.size() == q.limit) {
      it->Next();  // a full page says "more" only when there is more to read
      break;
    }
  }
  if (!it->status().ok()) return StoreError(it->status(), "read audit log");
  if (!in_range()) page.next.clear();
  return page;
}

Result<std::size_t> PruneAuditLog(rocksdb::DB& db, int64_t before_ms, std::size_t max_entries) {
  rocksdb::Slice upper_bound(kAuditEnd);
  auto it = AuditIterator(db, upper_bound);
  rocksdb::WriteBatch batch;
  std::size_t deleted = 0;
  for (it->Seek(layout::AuditTimeKey(before_ms - 1)); it->Valid() && deleted < max_entries; it->Next()) {
    batch.Delete(it->key());
    ++deleted;
  }
  if (!it->status().ok()) return StoreError(it->status(), "read audit log");
  if (deleted == 0) return deleted;
  rocksdb::Status s = db.Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return StoreError(s, "prune audit log");
  return deleted;
}

}  // namespace keymint::store_rocksdb
