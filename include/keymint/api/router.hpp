// Routes a request to its handler: a table of (method, path pattern, handler,
// placement). Handlers are synchronous and pure (Request in, Response out); the
// router decides nothing about threads, it only says where a handler should run.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/api/http.hpp"

namespace keymint::api {

// Where the transport should run a handler.
enum class Placement {
  kInline,  // on the I/O thread: CPU-bound and short (token minting, discovery)
  kPool,    // on the blocking-work pool: synced disk writes, password hashing
};

// What Dispatch produced: a ready response, or work that the transport must run
// on the pool and whose result it then sends. Exactly one of the two is set.
struct Outcome {
  std::optional<Response> ready;
  std::function<Response()> deferred;
};

class Router {
 public:
  virtual ~Router() = default;
  // Thread-safe. `request` must outlive the returned Outcome's `deferred`.
  virtual Outcome Dispatch(const Request& request) const = 0;
  // Adds the headers that every response on `target`'s path carries (e.g. a
  // deprecated path's Deprecation and Link) to an answer the transport made
  // without dispatching, such as a 413 for an oversized body. Thread-safe.
  virtual void AddPathHeaders(std::string_view /*target*/, Response& /*response*/) const {}
};

}  // namespace keymint::api
