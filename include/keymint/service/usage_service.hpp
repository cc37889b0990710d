// Reads credential usage for the management API (README "Credential usage"): an access
// key's for its owner or an administrator, a service account's for an
// administrator. Usage is written by the LastLoginRecorder, off the token
// path; this only reads. Thread-safe.
#pragma once

#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/service/model.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

class UsageService {
 public:
  // Keeps references to `store` and `clock`, which must outlive it.
  UsageService(const Store& store, const Clock& clock);

  // The usage of the caller's own access key `id`; NotFound when there is no
  // such key or it is not the caller's (the same answer as GET of the key).
  Result<CredentialUsage> OfOwnAccessKey(const Principal& owner, std::string_view id) const;
  // Any user's access key `id` (administrators); NotFound when none.
  Result<CredentialUsage> OfAccessKey(std::string_view id) const;
  // Service account `id`; NotFound when none.
  Result<CredentialUsage> OfServiceAccount(std::string_view id) const;

 private:
  // The credential's usage with its day buckets narrowed to the 30 days
  // ending today; an empty record (zero tokens) when it was never used.
  Result<CredentialUsage> UsageOf(const CredentialRecord& credential) const;

  const Store& store_;
  const Clock& clock_;
};

}  // namespace keymint
