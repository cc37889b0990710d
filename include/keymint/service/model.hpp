// The domain model: what the services take and return, apart from how the
// store keeps it. None of these types carries a password hash or a secret
// hash; those stay in the store's records (keymint/store/records.hpp) and in
// the services that check them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"

namespace keymint {

// Who is calling, as authenticated now: a user (by password or one of their
// access keys) or a service account (by its own credentials).
struct Principal {
  enum class Kind { kUser, kServiceAccount };

  std::string id;                  // the user's id, or the service account's
  std::string name;                // what records it creates show as createdBy: the user's email, the account's name
  std::vector<std::string> roles;  // as stored now, never as the token claimed
  Kind kind = Kind::kUser;

  bool IsUser() const { return kind == Kind::kUser; }
  bool IsAdmin() const;

  static Principal OfUser(const UserRecord& user);
  static Principal OfServiceAccount(const CredentialRecord& account);
};

struct User {
  std::string id;
  std::string email;  // the username
  std::vector<std::string> roles;
  std::string created_by;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::optional<int64_t> last_login_ms;

  static User From(const UserRecord& record);
};

struct AccessKey {
  std::string id;
  std::string name;
  std::string client_id;
  std::string owner_id;
  std::string created_by;  // the owner's email
  int64_t created_at_ms = 0;
  std::optional<int64_t> last_login_ms;

  static AccessKey From(const CredentialRecord& record);
};

struct ServiceAccount {
  std::string id;
  std::string name;
  std::string client_id;
  std::string created_by;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  bool enabled = true;
  std::vector<std::string> roles;
  std::optional<int64_t> last_login_ms;

  static ServiceAccount From(const CredentialRecord& record);
};

// The views of a list of records, in order (View::From each), or the list's error.
template <typename View, typename Record>
Result<std::vector<View>> ViewsOf(Result<std::vector<Record>> records) {
  ASSIGN_OR_RETURN(auto listed, std::move(records));
  std::vector<View> views;
  views.reserve(listed.size());
  for (const auto& record : listed) views.push_back(View::From(record));
  return views;
}

// What a credential's details add to its view (README "Credential
// lifecycle"): the members the seeds have none for.
struct CredentialState {
  bool enabled = true;
  std::optional<int64_t> expires_at_ms;
  std::optional<std::vector<std::string>> scope;   // access keys: nullopt = unscoped
  std::optional<int64_t> secret_grace_ends_at_ms;  // nullopt: no grace period now

  // As of `now_ms`: a grace period already over shows as none.
  static CredentialState From(const CredentialRecord& record, int64_t now_ms);
};

// A view together with its credential's state.
template <typename T>
struct Detailed {
  T value;
  CredentialState state;
};

// Something just created together with the secret shown once (only here).
template <typename T>
struct WithSecret {
  T value;
  std::string secret;
};

}  // namespace keymint
