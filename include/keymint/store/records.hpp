// The records keymint keeps. Plain values; the store serialises them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace keymint {

struct UserRecord {
  std::string id;             // UUID v4
  std::string email;          // the username; unique, immutable
  std::string password_hash;  // crypto::HashPassword encoding; never the password
  std::vector<std::string> roles;
  std::string created_by;  // creator's name: an admin's email or a service account's ("keymint" for the first admin)
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::optional<int64_t> last_login_ms;  // filled from the last-login table on read
  // Moves on (never back) whenever the user's earlier password sessions must
  // end: a password reset or change, or losing System administrator. A
  // password-grant token carries the value it was minted with (claim `gen`),
  // and the management API refuses it once the two differ. 0 in records
  // written before it existed.
  uint64_t generation = 0;
};

// What owns a credential and how its tokens are scoped.
enum class CredentialKind {
  kAccessKey,       // owned by a user; tokens carry the owner's roles
  kServiceAccount,  // owned by the organisation; tokens carry its own roles
};

// An access key or service account: a client ID and a keyed hash of its secret.
struct CredentialRecord {
  std::string id;  // UUID v4
  CredentialKind kind = CredentialKind::kAccessKey;
  std::string name;         // unique within its scope (owner's keys, or the organisation)
  std::string client_id;    // unique across keymint; immutable
  std::string secret_hash;  // 32 raw bytes, HMAC-SHA-256 under the server key
  std::string owner_id;     // user id for access keys; "" for service accounts
  std::string created_by;   // creator's name: a user's email, or a service account's name
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  bool enabled = true;
  // Moves on (never back) when the secret is replaced or the credential is
  // disabled. A token minted from the credential carries the value (claim
  // `gen`), and the management API refuses it once the two differ, so a
  // re-enable revives nothing. 0 in records written before it existed (1 when
  // such a record carries the whole-second cut-off those versions used
  // instead: see record_codec.cpp).
  uint64_t generation = 0;
  std::vector<std::string> roles;        // service accounts only
  std::optional<int64_t> last_login_ms;  // filled from the last-login table on read
  // The credential lifecycle (README "Credential lifecycle"); all absent in
  // records written before it existed.
  // From this instant on the token endpoints refuse the credential as they
  // refuse a wrong secret, and the management API refuses its bearer tokens.
  std::optional<int64_t> expires_at_ms;
  // Access keys only: the roles its tokens may carry at most (they carry
  // those the owner holds at mint time); nullopt = all of the owner's roles.
  std::optional<std::vector<std::string>> scope;
  // A grace period after a secret replacement: the replaced secret's keyed
  // hash keeps matching until previous_secret_ends_at_ms, minting tokens of
  // generation - 1 (the generation it had), which the management API accepts
  // until then too. "" when there is none. Anything that moves the generation
  // on (EndCredentialSessions) ends it, so generation - 1 is always the
  // previous secret's.
  std::string previous_secret_hash;
  int64_t previous_secret_ends_at_ms = 0;
};

// One pending last-login update: the record id and when it logged in.
struct LastLogin {
  std::string id;
  int64_t at_ms = 0;
};

// One entry of the audit log (README "Audit log"): who did what to which
// record, when, from where, and whether it worked. Entries are kept newest
// first (at_ms descending, then id ascending); whoever writes them chooses
// ids so that, within one millisecond, the later entry has the smaller id.
struct AuditRecord {
  std::string id;        // unique; [0-9a-zA-Z_-], 1 to 64 characters
  int64_t at_ms = 0;     // when, Unix ms
  std::string actor;     // the caller's name (email or service account name); "" when unknown
  std::string actor_id;  // the caller's id; "" when unknown
  std::string action;    // what was done, e.g. "access_key.create"
  std::string target;    // the id of the record acted on; "" when none
  std::string source;    // the caller's TCP peer address; "" when unknown
  bool success = true;
  // Why it failed; on a success, what the change asked for beyond the
  // seed's members (e.g. "graceSeconds=3600"), "" for nothing. Never a secret.
  std::string detail;
};

// One UTC day of a credential's usage: the tokens minted that day.
struct DailyTokenCount {
  int64_t day = 0;  // days since 1970-01-01 (UTC)
  uint64_t tokens = 0;

  friend bool operator==(const DailyTokenCount&, const DailyTokenCount&) = default;
};

// How a credential has been used at the token endpoints (README "Credential usage"):
// kept beside the credential, keyed by its id, and written outside
// transactions like last logins. Bounded: at most kUsageDays day buckets,
// one source, one user agent of at most kUsageUserAgentBytes.
struct CredentialUsage {
  static constexpr std::size_t kUsageDays = 30;
  static constexpr std::size_t kUsageUserAgentBytes = 256;

  std::string id;                     // the credential's id
  uint64_t total_tokens = 0;          // since the credential was created (or usage was first recorded)
  std::vector<DailyTokenCount> days;  // oldest first, days with tokens only
  std::optional<int64_t> last_used_ms;
  std::string last_source;                // the caller's address at last_used_ms; "" when unknown
  std::string last_user_agent;            // its User-Agent, truncated; "" when none
  std::optional<int64_t> last_failed_ms;  // the last refused exchange naming this client ID

  friend bool operator==(const CredentialUsage&, const CredentialUsage&) = default;
};

// A revoked token on the deny list (README "Introspection and revocation"):
// its `jti`, kept until its `exp`, after which the token is refused anyway.
struct RevokedToken {
  std::string jti;
  int64_t expires_at_ms = 0;

  friend bool operator==(const RevokedToken&, const RevokedToken&) = default;
};

}  // namespace keymint
