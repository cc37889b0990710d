// Access keys: a user's own client credentials (API.md §4 and §5).
//
// Rules: names valid and unique among the owner's keys; at most
// `max_per_user` keys per user; the secret is returned once (create,
// regenerate) and stored only as a keyed hash; another user's key is
// NotFound, never PermissionDenied. Each change, with the checks it depends
// on, is one store transaction, synced before it returns. Thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/audit_trail.hpp"
#include "keymint/service/client_credentials.hpp"
#include "keymint/service/model.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

struct AccessKeyFilter {
  std::optional<std::string> client_id;
  std::optional<std::string> created_by;  // owner's email
  std::size_t offset = 0;
  std::size_t limit = 100;
};

class AccessKeyService {
 public:
  // Keeps references to everything it is given; all must outlive it. With an
  // `audit` trail, every change is recorded in its transaction and every
  // refused change as a failure, with `actor` as who asked.
  AccessKeyService(Store& store, const crypto::SecretHasher& hasher, const Clock& clock, int max_per_user,
                   AuditTrail* audit = nullptr);

  Result<WithSecret<AccessKey>> Create(const Principal& owner, std::string_view name, const AuditActor& actor = {});
  Result<std::vector<AccessKey>> ListOwn(const Principal& owner) const;
  Result<AccessKey> GetOwn(const Principal& owner, std::string_view id) const;
  Status DeleteOwn(const Principal& owner, std::string_view id, const AuditActor& actor = {});
  // Replaces the secret; the old one stops working when this returns.
  Result<std::string> RegenerateOwn(const Principal& owner, std::string_view id, const AuditActor& actor = {});

  // Administration: every user's keys.
  Result<std::vector<AccessKey>> ListAll(const AccessKeyFilter& filter) const;
  Status DeleteAny(std::string_view id, const AuditActor& actor = {});

 private:
  Store& store_;
  const crypto::SecretHasher& hasher_;
  const Clock& clock_;
  const std::size_t max_per_user_;
  AuditTrail* const audit_;  // null: nothing audited
};

}  // namespace keymint
