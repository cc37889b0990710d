// The set of live connections, so that shutdown can reach each one. Touched
// only when a connection opens or ends, never per request, so one mutex is
// cheap enough.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace keymint::transport {

class HttpSession;

// Thread-safe.
class SessionRegistry {
 public:
  void Add(const std::shared_ptr<HttpSession>& session);
  // Called from the session's destructor. When the registry is draining and
  // this was the last session, runs the drain callback (on this thread).
  void Remove(const HttpSession* session);

  // Switches to draining and returns the sessions still alive. `on_drained`
  // runs once, when the last session is removed, or right away (before this
  // returns) when none are left. Call at most once.
  std::vector<std::shared_ptr<HttpSession>> BeginDrain(std::function<void()> on_drained);
  // Drops the drain callback if it has not run, so that sessions destroyed
  // later (with the io_context) do not call back into a server being torn
  // down.
  void EndDrain();

  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  // Keyed by address so the destructor can remove itself without a weak_ptr.
  std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions_;  // guarded by mu_
  std::function<void()> on_drained_;                                             // guarded by mu_
};

}  // namespace keymint::transport
