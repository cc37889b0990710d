#include "store/revoked_tokens.hpp"

#include <rocksdb/write_batch.h>

#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "store/key_layout.hpp"
#include "store/rocksdb_error.hpp"

namespace keymint::store_rocksdb {
namespace layout = store_layout;
namespace {

// The first key past the table, so that iterators stop at its end.
const std::string kRevokedEnd =
    std::string(layout::kRevokedTokenPrefix.substr(0, layout::kRevokedTokenPrefix.size() - 1)) + ';';

std::optional<int64_t> ParseMillis(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Calls `visit(key, jti, expires_at_ms)` for every well-formed entry.
template <typename Visit>
Status ForEachRevoked(rocksdb::DB& db, Visit visit) {
  rocksdb::Slice upper_bound(kRevokedEnd);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options));
  for (it->Seek(std::string(layout::kRevokedTokenPrefix)); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    auto expires = ParseMillis(it->value().ToStringView());
    if (!expires) continue;
    visit(it->key(), key.substr(layout::kRevokedTokenPrefix.size()), *expires);
  }
  if (!it->status().ok()) return StoreError(it->status(), "read revoked tokens");
  return Status::Ok();
}

}  // namespace

Status PutRevokedToken(rocksdb::DB& db, const RevokedToken& token) {
  rocksdb::WriteOptions synced;
  synced.sync = true;
  rocksdb::Status s = db.Put(synced, layout::RevokedTokenKey(token.jti), std::to_string(token.expires_at_ms));
  if (!s.ok()) return StoreError(s, "revoke token");
  return Status::Ok();
}

Result<std::vector<RevokedToken>> ReadRevokedTokens(rocksdb::DB& db) {
  std::vector<RevokedToken> tokens;
  RETURN_IF_ERROR(ForEachRevoked(db, [&](const rocksdb::Slice&, std::string_view jti, int64_t expires_at_ms) {
    tokens.push_back({std::string(jti), expires_at_ms});
  }));
  return tokens;
}

Result<std::size_t> PruneRevokedTokens(rocksdb::DB& db, int64_t now_ms) {
  rocksdb::WriteBatch batch;
  std::size_t deleted = 0;
  RETURN_IF_ERROR(ForEachRevoked(db, [&](const rocksdb::Slice& key, std::string_view, int64_t expires_at_ms) {
    if (expires_at_ms > now_ms) return;
    batch.Delete(key);
    ++deleted;
  }));
  if (deleted == 0) return deleted;
  rocksdb::Status s = db.Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return StoreError(s, "prune revoked tokens");
  return deleted;
}

}  // namespace keymint::store_rocksdb
