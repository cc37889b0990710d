// Writes for tests that set a store up, or change it behind a service's back:
// each runs in a transaction of its own, which must commit.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "keymint/store/store.hpp"

namespace keymint::testing {

inline void Commit(Store& store, const TransactionBody& body) {
  Status committed = store.RunTransaction(body);
  INFO((committed.ok() ? std::string() : committed.error().message));
  REQUIRE(committed.ok());
}

inline void Create(Store& store, const UserRecord& user) {
  Commit(store, [&](StoreTransaction& tx) { return tx.CreateUser(user); });
}
inline void Create(Store& store, const CredentialRecord& credential) {
  Commit(store, [&](StoreTransaction& tx) { return tx.CreateCredential(credential); });
}
inline void Update(Store& store, const UserRecord& user) {
  Commit(store, [&](StoreTransaction& tx) { return tx.UpdateUser(user); });
}
inline void Update(Store& store, const CredentialRecord& credential) {
  Commit(store, [&](StoreTransaction& tx) { return tx.UpdateCredential(credential); });
}
inline void Delete(Store& store, const UserRecord& user) {
  Commit(store, [&](StoreTransaction& tx) { return tx.DeleteUser(user.id); });
}
inline void Delete(Store& store, const CredentialRecord& credential) {
  Commit(store, [&](StoreTransaction& tx) { return tx.DeleteCredential(credential.id); });
}

}  // namespace keymint::testing
