// The audit log (README "Audit log"): who changed what, when, from where,
// and whether it worked.
//
// Three ways in, by durability:
// - Stage(tx, ...): a change's entry, staged in the change's own store
//   transaction, so it is committed and synced with it, or not at all.
// - Commit(...): an entry on its own, synced before it returns, for a change
//   made outside the store (a signing-key rotation).
// - RecordFailure(...): an entry for something that changed nothing (a failed
//   sign-in, a refused management action), written alone and not synced (it
//   is durable once the next synced commit or flush runs): failures may come
//   from anyone, and a synced write each would hand a flood the disk. They
//   are also capped per minute (AuditLimits::failures_per_minute); beyond the
//   cap they are counted (dropped()) and the count is written as one
//   "audit.dropped" entry when the next minute's first failure arrives.
//
// Entries are ordered newest first; ids order the entries of one millisecond
// by when they were made. Prune() deletes entries past the retention. A
// failure to write a failure entry is not the caller's failure: it is dropped
// and counted. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/service/model.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// Every action the audit log records.
namespace audit_action {
inline constexpr std::string_view kAccessKeyCreate = "access_key.create";
inline constexpr std::string_view kAccessKeyDelete = "access_key.delete";
inline constexpr std::string_view kAccessKeyRegenerate = "access_key.regenerate";
inline constexpr std::string_view kServiceAccountCreate = "service_account.create";
inline constexpr std::string_view kServiceAccountDelete = "service_account.delete";
inline constexpr std::string_view kServiceAccountRegenerate = "service_account.regenerate";
inline constexpr std::string_view kServiceAccountEnable = "service_account.enable";
inline constexpr std::string_view kServiceAccountDisable = "service_account.disable";
inline constexpr std::string_view kServiceAccountRoles = "service_account.roles";
inline constexpr std::string_view kUserCreate = "user.create";
inline constexpr std::string_view kUserDelete = "user.delete";
inline constexpr std::string_view kUserRoles = "user.roles";
inline constexpr std::string_view kUserPasswordReset = "user.password_reset";
inline constexpr std::string_view kUserPasswordChange = "user.password_change";
inline constexpr std::string_view kSignIn = "signin.password";  // failed password sign-ins only
inline constexpr std::string_view kSigningKeyRotate = "signing_key.rotate";
// A signed-in caller refused a route for want of a role (403): its detail
// names the route, its target is empty.
inline constexpr std::string_view kAccessDenied = "access.denied";
inline constexpr std::string_view kDropped = "audit.dropped";  // failure entries over the cap
}  // namespace audit_action

// All of the above, for validating a filter.
std::span<const std::string_view> AuditActions();

// Who asked, and from where.
struct AuditActor {
  std::string id;      // the user's or service account's id; "" when unknown
  std::string name;    // their email or name; "" when unknown
  std::string source;  // the TCP peer's address; "" when unknown

  static AuditActor Of(const Principal& caller, std::string_view source);
};

struct AuditLimits {
  int retention_days = 90;
  int failures_per_minute = 600;
};

class AuditTrail {
 public:
  // Keeps references to `store` and `clock`, which must outlive it.
  AuditTrail(Store& store, const Clock& clock, AuditLimits limits);

  // A successful change's entry, in the change's transaction. `detail`
  // says what the change asked for beyond the seed's members (a grace
  // period, an expiry, a scope), "" for nothing; never a secret.
  Status Stage(StoreTransaction& tx, const AuditActor& actor, std::string_view action, std::string_view target,
               std::string_view detail = {});
  // A successful change made outside the store, synced before it returns.
  Status Commit(const AuditActor& actor, std::string_view action, std::string_view target);
  // A failure: `error`'s message is the entry's detail (messages never carry secrets).
  void RecordFailure(const AuditActor& actor, std::string_view action, std::string_view target, const Error& error);

  Result<AuditPage> List(const AuditQuery& query) const { return store_.ListAudit(query); }
  // Deletes every entry older than the retention, in bounded batches;
  // returns how many.
  Result<std::size_t> Prune();
  // Failure entries not written (over the cap, or the write failed).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  AuditRecord Entry(const AuditActor& actor, std::string_view action, std::string_view target);
  // Whether one more failure entry fits this minute's cap; sets `carried` to
  // the entries dropped in earlier minutes not yet reported.
  bool Admit(int64_t now_ms, uint64_t& carried);

  Store& store_;
  const Clock& clock_;
  const AuditLimits limits_;
  std::atomic<uint64_t> sequence_{0};
  std::atomic<uint64_t> dropped_{0};
  std::mutex window_mu_;  // failures only: never on the token path's success
  int64_t window_minute_ = -1;
  int window_count_ = 0;
  uint64_t unreported_ = 0;  // dropped, not yet written as an audit.dropped entry
};

// The body of an audited operation: returns its result, and records it as a
// failure of `action` on `target` when it is an error. A null trail records nothing.
template <typename R, typename Work>
R Audited(AuditTrail* trail, const AuditActor& actor, std::string_view action, std::string_view target, Work&& work) {
  R result = work();
  if (trail != nullptr && !result.ok()) trail->RecordFailure(actor, action, target, result.error());
  return result;
}

// Stages the entry of a successful change in `tx`; OK when `trail` is null.
inline Status StageAudit(AuditTrail* trail, StoreTransaction& tx, const AuditActor& actor, std::string_view action,
                         std::string_view target, std::string_view detail = {}) {
  return trail == nullptr ? Status::Ok() : trail->Stage(tx, actor, action, target, detail);
}

}  // namespace keymint
