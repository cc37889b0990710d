// What the transport calls for each request: the Router interface. The API
// layer implements it over its route table (api.hpp: MakeRouter); transport
// tests implement it with fakes. Handlers are synchronous and pure (Request
// in, Response out); the router decides nothing about threads, it only says
// where the work should run.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "keymint/api/http.hpp"

namespace keymint::api {

// What Dispatch produced: a ready response, or work that the transport must
// run on its blocking pool and whose result it then sends. Exactly one of the
// two is set.
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
