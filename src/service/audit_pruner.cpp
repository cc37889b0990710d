#include "keymint/service/audit_pruner.hpp"

#include <utility>

namespace keymint {

AuditPruner::AuditPruner(AuditTrail& trail, std::chrono::milliseconds interval,
                         std::function<void(const std::string&)> on_error)
    : trail_(trail), interval_(interval), on_error_(std::move(on_error)), thread_([this] { Run(); }) {}

AuditPruner::~AuditPruner() { Stop(); }

void AuditPruner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int AuditPruner::passes() const {
  std::lock_guard lock(mu_);
  return passes_;
}

void AuditPruner::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto pruned = trail_.Prune();
    if (!pruned.ok() && on_error_) on_error_(pruned.error().message);
    lock.lock();
    ++passes_;
    wake_.notify_all();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace keymint
