// The few calls keymint-bench makes to keymint's management API, blocking and
// outside the measured run: log in, create the run's credentials, check their
// lastLogin afterwards, delete them.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "load/credentials.hpp"
#include "load/options.hpp"

namespace keymint::load {

class KeymintAdmin {
 public:
  // The password grant at POST /api/v1/token as --admin-email.
  static Result<KeymintAdmin> LogIn(const Options& options);

  // Creates `count` access keys or service accounts (role Viewer) named
  // bench-<random>-<n>, fewer if `stop` becomes true meanwhile. On failure
  // deletes what it made and says why.
  Result<std::vector<Credential>> Create(int count, CreateKind kind, const std::atomic<bool>& stop);
  // Deletes them (those with a record_id); the first failure is reported, the rest still tried.
  Status Delete(const std::vector<Credential>& credentials, CreateKind kind);
  // How many of them show a lastLogin at or after `since` (RFC 3339 UTC with
  // milliseconds, as keymint writes it). Waits up to two seconds for the
  // last logins to be written (keymint writes them within one). Credentials
  // this run made are read by id; others (from a file) are access keys found
  // by client ID through the administration API.
  Result<std::size_t> CountLoggedInSince(const std::vector<Credential>& credentials, CreateKind kind,
                                         const std::string& since);

 private:
  KeymintAdmin(const Options& options, std::string token);
  // The credential's lastLogin as keymint shows it ("" when null).
  Result<std::string> LastLogin(const Credential& credential, CreateKind kind);
  const Options* options_;
  std::string token_;
};

// Now as RFC 3339 UTC with milliseconds, e.g. 2026-11-30T17:02:03.456Z.
std::string Rfc3339Now();

}  // namespace keymint::load
