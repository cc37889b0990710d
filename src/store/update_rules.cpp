#include "store/update_rules.hpp"

namespace keymint::store_rules {

Status CheckUserUpdate(const UserRecord& stored, const UserRecord& updated) {
  if (stored.email != updated.email || stored.created_at_ms != updated.created_at_ms) {
    return Error::Internal("store: a user's email and creation time cannot change (user " + updated.id + ")");
  }
  return Status::Ok();
}

Status CheckCredentialUpdate(const CredentialRecord& stored, const CredentialRecord& updated) {
  if (stored.kind != updated.kind || stored.name != updated.name || stored.owner_id != updated.owner_id ||
      stored.client_id != updated.client_id || stored.created_at_ms != updated.created_at_ms) {
    return Error::Internal(
        "store: a credential's kind, name, owner, client ID and creation time cannot change (credential " + updated.id +
        ")");
  }
  return Status::Ok();
}

}  // namespace keymint::store_rules
