// A Store that runs every transaction body twice, as a backend that retries
// on a conflict may (keymint/store/store.hpp, TransactionBody): the first run
// is aborted once the body returns OK, and only the second commits. A body
// that acts outside its transaction, or carries state from one run to the
// next, gives itself away against it. Reads and last logins go straight to
// the store it wraps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/store/store.hpp"

namespace keymint::testing {

class RetryingStore final : public Store {
 public:
  explicit RetryingStore(Store& inner) : inner_(inner) {}

  Status RunTransaction(const TransactionBody& body) override {
    Status first = inner_.RunTransaction([&](StoreTransaction& tx) -> Status {
      RETURN_IF_ERROR(body(tx));
      return Error::Unavailable(std::string(kConflict));
    });
    // A body's own error ends the transaction: backends retry conflicts only.
    if (first.error().message != kConflict) return first;
    return inner_.RunTransaction(body);
  }

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override {
    return inner_.GetUser(id, field);
  }
  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    return inner_.FindUserByEmail(email);
  }
  Result<std::vector<UserRecord>> ListUsers() const override { return inner_.ListUsers(); }
  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override {
    return inner_.GetCredential(id);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override {
    return inner_.FindCredentialByClientId(client_id, field);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const override {
    return inner_.FindCredentialByName(kind, scope, name);
  }
  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const override {
    return inner_.ListCredentials(query);
  }
  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return inner_.CountCredentialsOfOwner(owner_id);
  }
  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return inner_.CountCredentialsOfKind(kind);
  }
  Status RecordLastLogins(const std::vector<LastLogin>& logins) override { return inner_.RecordLastLogins(logins); }
  Status Flush() override { return inner_.Flush(); }

 private:
  static constexpr std::string_view kConflict = "simulated conflict: run the body again";

  Store& inner_;
};

}  // namespace keymint::testing
