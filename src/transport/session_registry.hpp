// The set of live connections, so that shutdown can reach each one. Touched
// only when a connection opens or ends, never per request, so one mutex is
// cheap enough.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace keymint::transport {

class HttpSession;

// Thread-safe.
class SessionRegistry {
 public:
  // `address` is the peer's, counted for CountFrom until the session is removed.
  void Add(const std::shared_ptr<HttpSession>& session, std::string address);
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
  // Live sessions whose peer is `address`.
  std::size_t CountFrom(std::string_view address) const;

 private:
  struct Entry {
    std::weak_ptr<HttpSession> session;
    std::string address;
  };
  mutable std::mutex mu_;
  // Keyed by the session's address in memory so the destructor can remove
  // itself without a weak_ptr.
  std::unordered_map<const HttpSession*, Entry> sessions_;    // guarded by mu_
  std::unordered_map<std::string, std::size_t> per_address_;  // guarded by mu_; no zero counts
  std::function<void()> on_drained_;                          // guarded by mu_
};

}  // namespace keymint::transport
