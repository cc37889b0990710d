#include "transport/session_registry.hpp"

#include <utility>

namespace keymint::transport {

void SessionRegistry::Add(const std::shared_ptr<HttpSession>& session, std::string address) {
  std::lock_guard lock(mu_);
  ++per_address_[address];
  sessions_.emplace(session.get(), Entry{session, std::move(address)});
}

void SessionRegistry::Remove(const HttpSession* session) {
  std::function<void()> on_drained;
  {
    std::lock_guard lock(mu_);
    if (auto it = sessions_.find(session); it != sessions_.end()) {
      auto count = per_address_.find(it->second.address);
      if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
      sessions_.erase(it);
    }
    if (sessions_.empty() && on_drained_) on_drained = std::exchange(on_drained_, nullptr);
  }
  // Outside the lock: the callback may stop the io_context, whose teardown can
  // destroy other sessions and re-enter Remove.
  if (on_drained) on_drained();
}

std::vector<std::shared_ptr<HttpSession>> SessionRegistry::BeginDrain(std::function<void()> on_drained) {
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(mu_);
    live.reserve(sessions_.size());
    for (const auto& [key, entry] : sessions_) {
      // A session whose destructor is running right now fails to lock; it
      // is about to Remove itself.
      if (auto session = entry.session.lock()) live.push_back(std::move(session));
    }
    if (!sessions_.empty()) {
      on_drained_ = std::move(on_drained);
      return live;
    }
  }
  on_drained();
  return live;
}

void SessionRegistry::EndDrain() {
  std::lock_guard lock(mu_);
  on_drained_ = nullptr;
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::size_t SessionRegistry::CountFrom(std::string_view address) const {
  std::lock_guard lock(mu_);
  const auto it = per_address_.find(std::string(address));
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace keymint::transport
