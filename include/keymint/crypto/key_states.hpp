// The life of a signing key, as plain data and pure functions over it, so
// that the rules can be tested with any clock (key_ring.hpp applies them).
//
//   next     published in the JWKS, signs nothing yet: verifiers that cache
//            the JWKS get to see it before any token carries its kid;
//   active   signs new tokens; exactly one key is active;
//   retired  signs nothing, stays published while tokens it signed may still
//            be in circulation, then leaves the ring (and its file is removed).
//
// A next key becomes active `publish_delay` after it was added, and the
// active key it replaces is retired at that moment. A retired key leaves
// `retire_after` (the token lifetime plus the verifier's leeway) after it
// was retired. All times are Unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/crypto/signing_key.hpp"

namespace keymint::crypto {

enum class KeyState { kNext, kActive, kRetired };

// "next", "active", "retired".
std::string_view KeyStateName(KeyState state);
std::optional<KeyState> ParseKeyState(std::string_view name);

struct KeyEntry {
  std::string file;  // name in the keys directory
  std::string kid;
  SigningAlgorithm algorithm = SigningAlgorithm::kRs256;
  KeyState state = KeyState::kNext;
  int64_t created_at = 0;
  int64_t activate_at = 0;  // next: when it becomes active
  int64_t retired_at = 0;   // retired: since when

  bool operator==(const KeyEntry&) const = default;
};

struct KeyTimings {
  int64_t publish_delay_ms = 0;
  int64_t retire_after_ms = 0;
};

// Adds `entry` (its file, kid, algorithm and created_at set) as next, due at
// `now` + publish delay. Call Advance afterwards: with no delay it is due at once.
void AddNext(std::vector<KeyEntry>& entries, KeyEntry entry, int64_t now, const KeyTimings& timings);

// Applies every transition due at `now`, in time order: due next keys become
// active (the active one they replace is retired at their activation time),
// and retired keys past retire_after leave. Returns the entries that left.
std::vector<KeyEntry> Advance(std::vector<KeyEntry>& entries, int64_t now, const KeyTimings& timings);

// When Advance next has something to do; nullopt when nothing is scheduled.
std::optional<int64_t> NextChange(const std::vector<KeyEntry>& entries, const KeyTimings& timings);

// Reconciles the entries recorded on disk with the key files found in the
// directory (`found`: file, kid and algorithm set, in file-name order) at
// start-up: records whose file is gone (or holds another key) are dropped;
// when no recorded key of `algorithm` is active, the last-named key of
// `algorithm` becomes active (keymint's rule before states were recorded) and
// other unrecorded keys are retired now; otherwise an unrecorded key of
// `algorithm` is added as next and one of another algorithm retired now. An
// active or next key of another algorithm (the algorithm was switched) is
// retired now. `found` must hold a key of `algorithm`. The result is in file-name order.
std::vector<KeyEntry> Reconcile(std::vector<KeyEntry> recorded, const std::vector<KeyEntry>& found,
                                SigningAlgorithm algorithm, int64_t now, const KeyTimings& timings);

}  // namespace keymint::crypto
