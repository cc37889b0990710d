#include "keymint/service/model.hpp"

#include <algorithm>

#include "keymint/service/client_credentials.hpp"
#include "keymint/service/roles.hpp"

namespace keymint {

bool Principal::IsAdmin() const { return std::find(roles.begin(), roles.end(), kSystemAdministrator) != roles.end(); }

Principal Principal::OfUser(const UserRecord& user) { return {user.id, user.email, user.roles, Kind::kUser}; }

Principal Principal::OfServiceAccount(const CredentialRecord& account) {
  return {account.id, account.name, account.roles, Kind::kServiceAccount};
}

User User::From(const UserRecord& record) {
  return {record.id,           record.email,         record.roles,
          record.created_by,   record.created_at_ms, record.updated_at_ms,
          record.last_login_ms};
}

AccessKey AccessKey::From(const CredentialRecord& record) {
  return {record.id,         record.name,          record.client_id,    record.owner_id,
          record.created_by, record.created_at_ms, record.last_login_ms};
}

ServiceAccount ServiceAccount::From(const CredentialRecord& record) {
  return {record.id,         record.name,          record.client_id,
          record.created_by, record.created_at_ms, record.updated_at_ms,
          record.enabled,    record.roles,         record.last_login_ms};
}

CredentialState CredentialState::From(const CredentialRecord& record, int64_t now_ms) {
  CredentialState state;
  state.enabled = record.enabled;
  state.expires_at_ms = record.expires_at_ms;
  state.scope = record.scope;
  if (InSecretGrace(record, now_ms)) state.secret_grace_ends_at_ms = record.previous_secret_ends_at_ms;
  return state;
}

}  // namespace keymint
