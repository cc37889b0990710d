// Credential usage arithmetic (README "Credential usage"): what one exchange adds, how
// pending additions fold into the stored record, and which day buckets a
// reader sees. Pure functions of their arguments (times are passed in), so
// the 30-day window is tested with any clock.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// The UTC day (days since 1970-01-01) of a Unix time in milliseconds.
int64_t UtcDay(int64_t unix_ms);

// The User-Agent as usage keeps it: at most CredentialUsage::kUsageUserAgentBytes
// bytes, printable ASCII only (anything else becomes '?'), so that a hostile
// header can neither grow the record nor put odd bytes into a JSON answer.
std::string BoundedUserAgent(std::string_view user_agent);

// Adds one successful exchange at `at_ms` to `usage` (a pending delta or a
// stored record): one token on its day, and the latest source and agent.
void AddExchange(CredentialUsage& usage, int64_t at_ms, std::string_view source, std::string_view user_agent);
// Notes a refused exchange naming the credential's client ID at `at_ms`.
void AddFailedExchange(CredentialUsage& usage, int64_t at_ms);

// Folds `delta` into `into`: totals and same-day counts add up, the later
// use's source and agent win, the later failure wins. Then keeps only the
// CredentialUsage::kUsageDays days ending on the latest day either has seen,
// so a record never holds more than that many buckets.
void MergeUsage(CredentialUsage& into, const CredentialUsage& delta);

// The day buckets of `usage` within the kUsageDays days ending on the day of
// `now_ms` (today and the 29 before it), oldest first.
std::vector<DailyTokenCount> RecentDays(const CredentialUsage& usage, int64_t now_ms);

// Writes pending deltas: the store folds each into its credential's stored
// record with MergeUsage and writes them back as one unsynced batch
// (Store::UpdateUsage), atomically against other writers, so that several
// replicas flushing at once lose no update. A delta for a credential deleted
// meanwhile leaves a record nothing reads (ids are never reused), as a late
// last login does (last_login_recorder.hpp).
Status WriteUsage(Store& store, const std::vector<CredentialUsage>& deltas);

}  // namespace keymint
