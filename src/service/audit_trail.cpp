#include "keymint/service/audit_trail.hpp"

#include <array>
#include <cstdio>

#include "keymint/crypto/random.hpp"

namespace keymint {
namespace {

using namespace audit_action;

constexpr std::array<std::string_view, 18> kActions = {kAccessKeyCreate,
                                                       kAccessKeyDelete,
                                                       kAccessKeyRegenerate,
                                                       kServiceAccountCreate,
                                                       kServiceAccountDelete,
                                                       kServiceAccountRegenerate,
                                                       kServiceAccountEnable,
                                                       kServiceAccountDisable,
                                                       kServiceAccountRoles,
                                                       kUserCreate,
                                                       kUserDelete,
                                                       kUserRoles,
                                                       kUserPasswordReset,
                                                       kUserPasswordChange,
                                                       kSignIn,
                                                       kSigningKeyRotate,
                                                       kAccessDenied,
                                                       kDropped};

constexpr int64_t kMillisPerMinute = 60'000;
constexpr int64_t kMillisPerDay = 86'400'000;
constexpr std::size_t kPruneBatch = 1000;  // entries per write batch
constexpr std::size_t kMaxDetail = 256;    // bytes of an error message kept

std::string Hex(uint64_t value, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace

std::span<const std::string_view> AuditActions() { return kActions; }

AuditActor AuditActor::Of(const Principal& caller, std::string_view source) {
  return {caller.id, caller.name, std::string(source)};
}

AuditTrail::AuditTrail(Store& store, const Clock& clock, AuditLimits limits)
    : store_(store), clock_(clock), limits_(limits) {}

AuditRecord AuditTrail::Entry(const AuditActor& actor, std::string_view action, std::string_view target) {
  AuditRecord entry;
  // A sequence counting down, so that within one millisecond the later entry
  // sorts first, then random bits, so that ids stay unique across restarts
  // whose clocks overlap.
  const uint64_t sequence = sequence_.fetch_add(1, std::memory_order_relaxed);
  const std::string random = crypto::RandomBytes(4);
  uint64_t suffix = 0;
  for (unsigned char c : random) suffix = suffix << 8 | c;
  entry.id = Hex(~sequence, 16) + Hex(suffix, 8);
  entry.at_ms = clock_.NowMillis();
  entry.actor = actor.name;
  entry.actor_id = actor.id;
  entry.action = std::string(action);
  entry.target = std::string(target);
  entry.source = actor.source;
  return entry;
}

Status AuditTrail::Stage(StoreTransaction& tx, const AuditActor& actor, std::string_view action,
                         std::string_view target, std::string_view detail) {
  AuditRecord entry = Entry(actor, action, target);
  entry.detail = detail.substr(0, kMaxDetail);
  return tx.AppendAudit(entry);
}

Status AuditTrail::Commit(const AuditActor& actor, std::string_view action, std::string_view target) {
  // Made before the transaction: its body may run more than once.
  const AuditRecord entry = Entry(actor, action, target);
  return store_.RunTransaction([&](StoreTransaction& tx) { return tx.AppendAudit(entry); });
}

bool AuditTrail::Admit(int64_t now_ms, uint64_t& carried) {
  std::lock_guard lock(window_mu_);
  const int64_t minute = now_ms / kMillisPerMinute;
  if (minute != window_minute_) {
    window_minute_ = minute;
    window_count_ = 0;
  }
  if (window_count_ >= limits_.failures_per_minute) {
    ++unreported_;
    return false;
  }
  ++window_count_;
  carried = unreported_;
  unreported_ = 0;
  return true;
}

void AuditTrail::RecordFailure(const AuditActor& actor, std::string_view action, std::string_view target,
                               const Error& error) {
  uint64_t carried = 0;
  if (!Admit(clock_.NowMillis(), carried)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (carried > 0) {
    AuditRecord note = Entry({}, audit_action::kDropped, "");
    note.success = false;
    note.detail = std::to_string(carried) + " failure entries over audit.failures_per_minute were not kept";
    (void)store_.AppendAudit(note);  // best effort: the count is in dropped() too
  }
  AuditRecord entry = Entry(actor, action, target);
  entry.success = false;
  entry.detail = error.message.substr(0, kMaxDetail);
  if (!store_.AppendAudit(entry).ok()) dropped_.fetch_add(1, std::memory_order_relaxed);
}

Result<std::size_t> AuditTrail::Prune() {
  const int64_t cutoff = clock_.NowMillis() - static_cast<int64_t>(limits_.retention_days) * kMillisPerDay;
  std::size_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::size_t deleted, store_.PruneAudit(cutoff, kPruneBatch));
    total += deleted;
    if (deleted < kPruneBatch) return total;
  }
}

}  // namespace keymint
