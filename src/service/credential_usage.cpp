#include "keymint/service/credential_usage.hpp"

#include <algorithm>
#include <map>

namespace keymint {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

// The first day a record keeps when its latest day is `latest_day`.
int64_t FirstKeptDay(int64_t latest_day) { return latest_day - static_cast<int64_t>(CredentialUsage::kUsageDays) + 1; }

// See BoundedUserAgent. assign() reuses `out`'s capacity: a queued entry
// allocates once, not on every exchange.
void AssignBoundedUserAgent(std::string& out, std::string_view user_agent) {
  out.assign(user_agent.substr(0, CredentialUsage::kUsageUserAgentBytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
}

}  // namespace

int64_t UtcDay(int64_t unix_ms) {
  // Floor division: a time before 1970 still lands on its own day.
  return unix_ms >= 0 ? unix_ms / kMillisPerDay : -((-unix_ms + kMillisPerDay - 1) / kMillisPerDay);
}

std::string BoundedUserAgent(std::string_view user_agent) {
  std::string kept;
  AssignBoundedUserAgent(kept, user_agent);
  return kept;
}

void AddExchange(CredentialUsage& usage, int64_t at_ms, std::string_view source, std::string_view user_agent) {
  ++usage.total_tokens;
  const int64_t day = UtcDay(at_ms);
  if (!usage.days.empty() && usage.days.back().day == day) {
    ++usage.days.back().tokens;
  } else if (usage.days.empty() || usage.days.back().day < day) {
    // A new latest day: the first exchange of a queued entry (each flush
    // starts a fresh one) or the first after midnight. Appended in place,
    // without MergeUsage's ordered map: this runs on the token path.
    usage.days.push_back({day, 1});
    const int64_t first = FirstKeptDay(day);
    std::erase_if(usage.days, [first](const DailyTokenCount& d) { return d.day < first; });
  } else {
    // The clock stepped back past the latest day: the general merge keeps
    // the days ordered.
    CredentialUsage earlier;
    earlier.days.push_back({day, 1});
    MergeUsage(usage, earlier);
  }
  if (!usage.last_used_ms || *usage.last_used_ms <= at_ms) {
    usage.last_used_ms = at_ms;
    usage.last_source.assign(source);
    AssignBoundedUserAgent(usage.last_user_agent, user_agent);
  }
}

void AddFailedExchange(CredentialUsage& usage, int64_t at_ms) {
  if (!usage.last_failed_ms || *usage.last_failed_ms < at_ms) usage.last_failed_ms = at_ms;
}

void MergeUsage(CredentialUsage& into, const CredentialUsage& delta) {
  into.total_tokens += delta.total_tokens;
  std::map<int64_t, uint64_t> days;
  for (const auto& d : into.days) days[d.day] += d.tokens;
  for (const auto& d : delta.days) days[d.day] += d.tokens;
  into.days.clear();
  if (!days.empty()) {
    const int64_t first = FirstKeptDay(days.rbegin()->first);
    for (const auto& [day, tokens] : days) {
      if (day >= first && tokens > 0) into.days.push_back({day, tokens});
    }
  }
  if (delta.last_used_ms && (!into.last_used_ms || *into.last_used_ms <= *delta.last_used_ms)) {
    into.last_used_ms = delta.last_used_ms;
    into.last_source = delta.last_source;
    into.last_user_agent = delta.last_user_agent;
  }
  if (delta.last_failed_ms && (!into.last_failed_ms || *into.last_failed_ms < *delta.last_failed_ms)) {
    into.last_failed_ms = delta.last_failed_ms;
  }
}

std::vector<DailyTokenCount> RecentDays(const CredentialUsage& usage, int64_t now_ms) {
  const int64_t today = UtcDay(now_ms);
  const int64_t first = FirstKeptDay(today);
  std::vector<DailyTokenCount> recent;
  for (const auto& d : usage.days) {
    if (d.day >= first && d.day <= today) recent.push_back(d);
  }
  return recent;
}

Status WriteUsage(Store& store, const std::vector<CredentialUsage>& deltas) {
  if (deltas.empty()) return Status::Ok();
  return store.UpdateUsage(deltas, MergeUsage);
}

}  // namespace keymint
