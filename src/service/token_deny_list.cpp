#include "keymint/service/token_deny_list.hpp"

namespace keymint {

TokenDenyList::TokenDenyList(Store& store, const Clock& clock, std::size_t max_entries)
    : store_(store), clock_(clock), max_entries_(max_entries) {}

Status TokenDenyList::Load() {
  // Not under write_mu_: a replica reloads from the change feed's observer,
  // which may run inside Add (the store write polls the feed). Nothing is
  // lost without it: a revocation is never undone, so what the store holds
  // is merged into what memory holds, and only expiry removes an entry.
  const int64_t now_ms = clock_.NowMillis();
  ASSIGN_OR_RETURN(auto stored, store_.ListRevokedTokens());
  RETURN_IF_ERROR(store_.PruneRevokedTokens(now_ms));
  std::unique_lock lock(entries_mu_);
  for (auto& token : stored) {
    if (token.expires_at_ms > now_ms) entries_.insert_or_assign(std::move(token.jti), token.expires_at_ms);
  }
  std::erase_if(entries_, [&](const auto& entry) { return entry.second <= now_ms; });
  count_.store(entries_.size(), std::memory_order_release);
  return Status::Ok();
}

Status TokenDenyList::Add(std::string_view jti, int64_t expires_at_ms) {
  std::lock_guard write(write_mu_);
  const int64_t now_ms = clock_.NowMillis();
  {
    std::shared_lock lock(entries_mu_);
    if (entries_.contains(jti)) return Status::Ok();
  }
  // count_, not entries_.size(): a replica's Load changes the entries under
  // entries_mu_ alone.
  if (size() >= max_entries_ && PruneMemory(now_ms) > 0) (void)store_.PruneRevokedTokens(now_ms);
  if (size() >= max_entries_) {
    return Error::Unavailable("the revocation list is full (revocation.max_entries = " + std::to_string(max_entries_) +
                              "); retry once revoked tokens have expired");
  }
  RETURN_IF_ERROR(store_.AddRevokedToken({std::string(jti), expires_at_ms}));
  std::unique_lock lock(entries_mu_);
  entries_.emplace(std::string(jti), expires_at_ms);
  count_.store(entries_.size(), std::memory_order_release);
  return Status::Ok();
}

bool TokenDenyList::Contains(std::string_view jti) const {
  if (count_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(entries_mu_);
  auto it = entries_.find(jti);
  return it != entries_.end() && it->second > clock_.NowMillis();
}

Result<std::size_t> TokenDenyList::Prune() {
  std::lock_guard write(write_mu_);
  const int64_t now_ms = clock_.NowMillis();
  const std::size_t removed = PruneMemory(now_ms);
  RETURN_IF_ERROR(store_.PruneRevokedTokens(now_ms));
  return removed;
}

std::size_t TokenDenyList::PruneMemory(int64_t now_ms) {
  std::unique_lock lock(entries_mu_);
  const std::size_t removed = std::erase_if(entries_, [&](const auto& entry) { return entry.second <= now_ms; });
  count_.store(entries_.size(), std::memory_order_release);
  return removed;
}

}  // namespace keymint
