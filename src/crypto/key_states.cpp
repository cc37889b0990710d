#include "keymint/crypto/key_states.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace keymint::crypto {
namespace {

void Retire(KeyEntry& entry, int64_t at) {
  entry.state = KeyState::kRetired;
  entry.retired_at = at;
  entry.activate_at = 0;
}

KeyEntry* FindActive(std::vector<KeyEntry>& entries) {
  auto it =
      std::find_if(entries.begin(), entries.end(), [](const KeyEntry& e) { return e.state == KeyState::kActive; });
  return it == entries.end() ? nullptr : &*it;
}

// Where a retired key may leave: never before every token it signed expired.
int64_t LeavesAt(const KeyEntry& entry, const KeyTimings& timings) {
  return entry.retired_at + timings.retire_after_ms;
}

void SortByFile(std::vector<KeyEntry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const KeyEntry& a, const KeyEntry& b) { return a.file < b.file; });
}

}  // namespace

std::string_view KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kNext:
      return "next";
    case KeyState::kActive:
      return "active";
    case KeyState::kRetired:
      return "retired";
  }
  return "retired";
}

std::optional<KeyState> ParseKeyState(std::string_view name) {
  for (KeyState state : {KeyState::kNext, KeyState::kActive, KeyState::kRetired}) {
    if (KeyStateName(state) == name) return state;
  }
  return std::nullopt;
}

void AddNext(std::vector<KeyEntry>& entries, KeyEntry entry, int64_t now, const KeyTimings& timings) {
  entry.state = KeyState::kNext;
  entry.activate_at = now + timings.publish_delay_ms;
  entry.retired_at = 0;
  entries.push_back(std::move(entry));
  SortByFile(entries);
}

std::vector<KeyEntry> Advance(std::vector<KeyEntry>& entries, int64_t now, const KeyTimings& timings) {
  // Due next keys in activation order, so that of two due at once the later
  // one ends up active and the earlier one retired at the later's time.
  std::vector<std::size_t> due;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].state == KeyState::kNext && entries[i].activate_at <= now) due.push_back(i);
  }
  std::stable_sort(due.begin(), due.end(),
                   [&](std::size_t a, std::size_t b) { return entries[a].activate_at < entries[b].activate_at; });
  for (std::size_t i : due) {
    if (KeyEntry* active = FindActive(entries)) Retire(*active, entries[i].activate_at);
    entries[i].state = KeyState::kActive;
  }
  std::vector<KeyEntry> left;
  std::erase_if(entries, [&](KeyEntry& entry) {
    if (entry.state != KeyState::kRetired || LeavesAt(entry, timings) > now) return false;
    left.push_back(std::move(entry));
    return true;
  });
  return left;
}

std::optional<int64_t> NextChange(const std::vector<KeyEntry>& entries, const KeyTimings& timings) {
  int64_t earliest = std::numeric_limits<int64_t>::max();
  for (const KeyEntry& entry : entries) {
    if (entry.state == KeyState::kNext) earliest = std::min(earliest, entry.activate_at);
    if (entry.state == KeyState::kRetired) earliest = std::min(earliest, LeavesAt(entry, timings));
  }
  if (earliest == std::numeric_limits<int64_t>::max()) return std::nullopt;
  return earliest;
}

std::vector<KeyEntry> Reconcile(std::vector<KeyEntry> recorded, const std::vector<KeyEntry>& found,
                                SigningAlgorithm algorithm, int64_t now, const KeyTimings& timings) {
  // Keep the records whose file still holds the recorded key.
  std::vector<KeyEntry> entries;
  std::vector<const KeyEntry*> unrecorded;
  for (const KeyEntry& file : found) {
    auto it = std::find_if(recorded.begin(), recorded.end(),
                           [&](const KeyEntry& r) { return r.file == file.file && r.kid == file.kid; });
    if (it == recorded.end()) {
      unrecorded.push_back(&file);
      continue;
    }
    KeyEntry entry = std::move(*it);
    entry.algorithm = file.algorithm;  // the file is the truth
    entries.push_back(std::move(entry));
  }
  // Keys of another algorithm (it was switched) never sign again.
  for (KeyEntry& entry : entries) {
    if (entry.state != KeyState::kRetired && entry.algorithm != algorithm) Retire(entry, now);
  }
  KeyEntry* active = FindActive(entries);
  std::string chosen;  // file of a newly chosen active key
  if (active == nullptr) {
    for (const KeyEntry& file : found) {
      if (file.algorithm == algorithm) chosen = file.file;  // the last-named wins
    }
    for (KeyEntry& entry : entries) {
      if (entry.file == chosen) {
        entry.state = KeyState::kActive;
        entry.activate_at = entry.retired_at = 0;
      }
    }
  }
  for (const KeyEntry* file : unrecorded) {
    KeyEntry entry = *file;
    entry.created_at = now;
    if (entry.file == chosen) {
      entry.state = KeyState::kActive;
      entries.push_back(std::move(entry));
    } else if (active != nullptr && entry.algorithm == algorithm) {
      AddNext(entries, std::move(entry), now, timings);
    } else {
      Retire(entry, now);
      entries.push_back(std::move(entry));
    }
  }
  SortByFile(entries);
  return entries;
}

}  // namespace keymint::crypto
