// What every backend's UpdateUser and UpdateCredential refuse, whatever the
// engine (store.hpp: the fields an index or a reference depends on are
// immutable; changing one is a caller's bug).
#pragma once

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"

namespace keymint::store_rules {

// Internal (naming the record) when `updated` changes the email or creation time of `stored`.
Status CheckUserUpdate(const UserRecord& stored, const UserRecord& updated);
// Internal (naming the record) when `updated` changes the kind, name, owner,
// client ID or creation time of `stored`.
Status CheckCredentialUpdate(const CredentialRecord& stored, const CredentialRecord& updated);

}  // namespace keymint::store_rules
