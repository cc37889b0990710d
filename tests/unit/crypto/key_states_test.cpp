// The signing-key state machine (key_states.hpp), on times the test chooses.
#include "keymint/crypto/key_states.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using keymint::crypto::AddNext;
using keymint::crypto::Advance;
using keymint::crypto::KeyEntry;
using keymint::crypto::KeyState;
using keymint::crypto::KeyTimings;
using keymint::crypto::NextChange;
using keymint::crypto::Reconcile;
using keymint::crypto::SigningAlgorithm;

namespace {

KeyEntry Key(const std::string& file, KeyState state = KeyState::kActive,
             SigningAlgorithm algorithm = SigningAlgorithm::kRs256) {
  KeyEntry entry;
  entry.file = file;
  entry.kid = "kid-" + file;
  entry.algorithm = algorithm;
  entry.state = state;
  return entry;
}

const KeyEntry& Named(const std::vector<KeyEntry>& entries, const std::string& file) {
  for (const KeyEntry& entry : entries) {
    if (entry.file == file) return entry;
  }
  FAIL("no entry " << file);
  return entries.front();
}

bool Holds(const std::vector<KeyEntry>& entries, const std::string& file) {
  for (const KeyEntry& entry : entries) {
    if (entry.file == file) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("State names round-trip and nothing else parses", "[crypto]") {
  for (KeyState state : {KeyState::kNext, KeyState::kActive, KeyState::kRetired}) {
    CHECK(keymint::crypto::ParseKeyState(keymint::crypto::KeyStateName(state)) == state);
  }
  CHECK_FALSE(keymint::crypto::ParseKeyState("Active").has_value());
  CHECK_FALSE(keymint::crypto::ParseKeyState("").has_value());
}

TEST_CASE("With no publish delay a new key is active at once and the old one retired then", "[crypto]") {
  const KeyTimings timings{0, 10'000};
  std::vector<KeyEntry> entries{Key("a.pem")};
  AddNext(entries, Key("b.pem"), 1'000, timings);
  CHECK(Named(entries, "b.pem").state == KeyState::kNext);
  CHECK(Advance(entries, 1'000, timings).empty());
  CHECK(Named(entries, "b.pem").state == KeyState::kActive);
  CHECK(Named(entries, "a.pem").state == KeyState::kRetired);
  CHECK(Named(entries, "a.pem").retired_at == 1'000);
}

TEST_CASE("A next key waits out the publish delay while the old key keeps signing", "[crypto]") {
  const KeyTimings timings{5'000, 10'000};
  std::vector<KeyEntry> entries{Key("a.pem")};
  AddNext(entries, Key("b.pem"), 1'000, timings);
  CHECK(NextChange(entries, timings) == 6'000);
  CHECK(Advance(entries, 5'999, timings).empty());
  CHECK(Named(entries, "a.pem").state == KeyState::kActive);
  CHECK(Named(entries, "b.pem").state == KeyState::kNext);
  (void)Advance(entries, 6'000, timings);
  CHECK(Named(entries, "b.pem").state == KeyState::kActive);
  CHECK(Named(entries, "a.pem").state == KeyState::kRetired);
  CHECK(Named(entries, "a.pem").retired_at == 6'000);  // the activation time, not the time Advance ran
}

TEST_CASE("A retired key leaves exactly when its last token has expired", "[crypto]") {
  const KeyTimings timings{0, 10'000};
  std::vector<KeyEntry> entries{Key("a.pem")};
  AddNext(entries, Key("b.pem"), 1'000, timings);
  (void)Advance(entries, 1'000, timings);
  CHECK(NextChange(entries, timings) == 11'000);
  CHECK(Advance(entries, 10'999, timings).empty());
  CHECK(Holds(entries, "a.pem"));
  const std::vector<KeyEntry> left = Advance(entries, 11'000, timings);
  REQUIRE(left.size() == 1);
  CHECK(left[0].file == "a.pem");
  CHECK_FALSE(Holds(entries, "a.pem"));
  CHECK_FALSE(NextChange(entries, timings).has_value());
}

TEST_CASE("Transitions missed while stopped happen in time order when it runs again", "[crypto]") {
  const KeyTimings timings{1'000, 10'000};
  std::vector<KeyEntry> entries{Key("a.pem")};
  AddNext(entries, Key("b.pem"), 1'000, timings);  // due at 2'000
  AddNext(entries, Key("c.pem"), 3'000, timings);  // due at 4'000
  // Long after: both activations happened, and both retired keys' tokens expired.
  const std::vector<KeyEntry> left = Advance(entries, 100'000, timings);
  CHECK(left.size() == 2);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].file == "c.pem");
  CHECK(entries[0].state == KeyState::kActive);
}

TEST_CASE("Two due next keys: the later one is active, the earlier retired at its activation", "[crypto]") {
  const KeyTimings timings{1'000, 10'000};
  std::vector<KeyEntry> entries{Key("a.pem")};
  AddNext(entries, Key("c.pem"), 1'000, timings);  // due at 2'000
  AddNext(entries, Key("b.pem"), 2'000, timings);  // due at 3'000, though it sorts first
  (void)Advance(entries, 3'500, timings);
  CHECK(Named(entries, "b.pem").state == KeyState::kActive);
  CHECK(Named(entries, "c.pem").state == KeyState::kRetired);
  CHECK(Named(entries, "c.pem").retired_at == 3'000);
  CHECK(Named(entries, "a.pem").retired_at == 2'000);
}

TEST_CASE("Without recorded states the last-named key of the algorithm is active and others retire", "[crypto]") {
  const KeyTimings timings{0, 10'000};
  const std::vector<KeyEntry> found{Key("a.pem", KeyState::kNext), Key("b.pem", KeyState::kNext),
                                    Key("c.pem", KeyState::kNext, SigningAlgorithm::kEs256)};
  const auto entries = Reconcile({}, found, SigningAlgorithm::kRs256, 5'000, timings);
  REQUIRE(entries.size() == 3);
  CHECK(Named(entries, "b.pem").state == KeyState::kActive);
  CHECK(Named(entries, "a.pem").state == KeyState::kRetired);
  CHECK(Named(entries, "a.pem").retired_at == 5'000);
  CHECK(Named(entries, "c.pem").state == KeyState::kRetired);
}

TEST_CASE("Recorded states survive a restart and a file added meanwhile becomes next", "[crypto]") {
  const KeyTimings timings{2'000, 10'000};
  KeyEntry active = Key("b.pem");
  active.created_at = 100;
  KeyEntry retired = Key("a.pem", KeyState::kRetired);
  retired.retired_at = 900;
  const std::vector<KeyEntry> found{Key("a.pem", KeyState::kNext), Key("b.pem", KeyState::kNext),
                                    Key("c.pem", KeyState::kNext)};
  const auto entries = Reconcile({retired, active}, found, SigningAlgorithm::kRs256, 5'000, timings);
  CHECK(Named(entries, "b.pem").state == KeyState::kActive);  // not the last-named c.pem
  CHECK(Named(entries, "b.pem").created_at == 100);
  CHECK(Named(entries, "a.pem").state == KeyState::kRetired);
  CHECK(Named(entries, "a.pem").retired_at == 900);
  CHECK(Named(entries, "c.pem").state == KeyState::kNext);
  CHECK(Named(entries, "c.pem").activate_at == 7'000);
}

TEST_CASE("A record whose file is gone or holds another key is dropped", "[crypto]") {
  const KeyTimings timings{0, 10'000};
  KeyEntry replaced = Key("b.pem");
  const std::vector<KeyEntry> recorded{Key("gone.pem", KeyState::kRetired), replaced};
  KeyEntry other = Key("b.pem", KeyState::kNext);
  other.kid = "another-kid";
  const auto entries = Reconcile(recorded, {other}, SigningAlgorithm::kRs256, 5'000, timings);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].kid == "another-kid");
  CHECK(entries[0].state == KeyState::kActive);
}

TEST_CASE("Switching the algorithm retires the active key of the old one", "[crypto]") {
  const KeyTimings timings{0, 10'000};
  const std::vector<KeyEntry> recorded{Key("a.pem")};
  const std::vector<KeyEntry> found{Key("a.pem", KeyState::kNext),
                                    Key("e.pem", KeyState::kNext, SigningAlgorithm::kEs256)};
  const auto entries = Reconcile(recorded, found, SigningAlgorithm::kEs256, 5'000, timings);
  CHECK(Named(entries, "a.pem").state == KeyState::kRetired);
  CHECK(Named(entries, "a.pem").retired_at == 5'000);
  CHECK(Named(entries, "e.pem").state == KeyState::kActive);
}
