// What GET /readyz asks before it says "send me traffic": a list of named
// checks (the store is usable, a signing key is loaded, the server is not
// draining), composed by main.cpp from the parts that know the answers, so
// that the API layer needs no reference to the store or the transport.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "keymint/common/result.hpp"

namespace keymint::api {

class Readiness {
 public:
  // Answers whether one part is ready; an Error's message says why not. Runs
  // on an I/O thread for every probe, so it must be cheap and never block.
  using Check = std::function<Status()>;

  // Not thread-safe: add every check before the server starts.
  void Add(std::string name, Check check) { checks_.emplace_back(std::move(name), std::move(check)); }

  // The first failing check, as "<name>: <message>"; Ok when all pass.
  // Thread-safe once serving.
  Status Evaluate() const {
    for (const auto& [name, check] : checks_) {
      if (Status status = check(); !status.ok()) {
        return Error{status.error().code, name + ": " + status.error().message};
      }
    }
    return Status::Ok();
  }

 private:
  std::vector<std::pair<std::string, Check>> checks_;
};

}  // namespace keymint::api
