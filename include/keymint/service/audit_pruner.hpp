// Runs AuditTrail::Prune in the background: once at start, then every
// `interval`, on a thread of its own (never on the I/O threads or the token
// path). A failed pass is reported through `on_error` and retried at the next
// interval. Stop() (or destruction) wakes and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "keymint/service/audit_trail.hpp"

namespace keymint {

class AuditPruner {
 public:
  // `trail` must outlive the pruner.
  AuditPruner(AuditTrail& trail, std::chrono::milliseconds interval,
              std::function<void(const std::string&)> on_error = nullptr);
  ~AuditPruner();  // calls Stop()
  AuditPruner(const AuditPruner&) = delete;
  AuditPruner& operator=(const AuditPruner&) = delete;

  void Stop();
  // Passes completed so far (for tests).
  int passes() const;

 private:
  void Run();

  AuditTrail& trail_;
  const std::chrono::milliseconds interval_;
  const std::function<void(const std::string&)> on_error_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int passes_ = 0;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace keymint
