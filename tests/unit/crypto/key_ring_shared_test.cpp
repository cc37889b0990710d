// Several replicas on one keys directory (key_ring.hpp "Shared directory"):
// two KeyRings opened on the same directory play two keymint processes.
// flock locks belong to an open file, so two rings in one process exclude
// each other exactly as two processes do.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "crypto/key_ring_state_file.hpp"
#include "keymint/crypto/ec_key.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "unit/test_support/fake_clock.hpp"
#include "unit/test_support/files.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint::crypto {
namespace {

using testing::FakeClock;
using testing::TempDir;

// ES256: generating a P-256 key is quick, and these tests make many.
constexpr SigningAlgorithm kAlgorithm = SigningAlgorithm::kEs256;

KeyRing OpenReplica(const std::string& dir, const Clock& clock, int64_t publish_delay_seconds = 0) {
  auto ring = KeyRing::Open(dir, kAlgorithm, {&clock, publish_delay_seconds, 60});
  REQUIRE(ring.ok());
  REQUIRE(ring->persist_warning().empty());
  return std::move(ring).value();
}

// Both replicas publish exactly the same thing.
void CheckAgree(const KeyRing& a, const KeyRing& b) {
  CHECK(a.active().kid() == b.active().kid());
  CHECK(a.active_header() == b.active_header());
  CHECK(a.jwks_json() == b.jwks_json());
  CHECK(a.current().entries() == b.current().entries());
  CHECK(a.algorithms() == b.algorithms());
}

std::vector<std::string> Kids(const KeyRing& ring) {
  std::vector<std::string> kids;
  for (const KeyEntry& entry : ring.current().entries()) kids.push_back(entry.kid);
  return kids;
}

bool Holds(const KeyRing& ring, const std::string& kid) {
  const std::vector<std::string> kids = Kids(ring);
  return std::find(kids.begin(), kids.end(), kid) != kids.end();
}

std::vector<KeyEntry> Recorded(const std::string& dir) {
  auto recorded = ReadKeyStates(dir + "/" + kKeyStateFileName);
  REQUIRE(recorded.ok());
  REQUIRE(recorded->has_value());
  return **recorded;
}

ino_t StateFileInode(const std::string& dir) {
  struct stat st {};
  REQUIRE(::stat((dir + "/" + kKeyStateFileName).c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("A rotation on one replica is taken in by another's Refresh: same keys, states, times and JWKS bytes",
          "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock);
  KeyRing b = OpenReplica(tmp.path(), clock);
  REQUIRE(a.Refresh().ok());  // b's Open rewrote the same states
  CheckAgree(a, b);

  clock.Advance(1'500);
  auto rotated = a.Rotate();
  REQUIRE(rotated.ok());
  REQUIRE(a.active().kid() == rotated->kid);  // no publish delay
  CHECK(b.active().kid() != rotated->kid);    // b has not looked yet

  auto refreshed = b.Refresh();
  REQUIRE(refreshed.ok());
  CHECK(*refreshed);
  CHECK(b.active().kid() == rotated->kid);
  CHECK(b.FindByKid(rotated->kid) != nullptr);
  CheckAgree(a, b);
  CHECK(b.current().entries() == Recorded(tmp.path()));
}

TEST_CASE("Refresh with nothing changed reads nothing new and publishes no snapshot", "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock);
  KeyRing b = OpenReplica(tmp.path(), clock);
  REQUIRE(a.Refresh().ok());
  const KeySet* before = &a.current();
  for (int i = 0; i < 3; ++i) {
    auto refreshed = a.Refresh();
    REQUIRE(refreshed.ok());
    CHECK_FALSE(*refreshed);
    CHECK(&a.current() == before);
  }
  // A state file rewritten with the same states (b's Advance, say) is read but changes nothing.
  REQUIRE(WriteKeyStates(tmp.Sub(kKeyStateFileName), Recorded(tmp.path())).ok());
  auto refreshed = a.Refresh();
  REQUIRE(refreshed.ok());
  CHECK_FALSE(*refreshed);
  CHECK(&a.current() == before);
}

TEST_CASE("A due transition applied by both replicas gives the same states, and the second writes nothing",
          "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock, /*publish_delay_seconds=*/10);
  KeyRing b = OpenReplica(tmp.path(), clock, 10);
  const std::string old_kid = a.active().kid();
  auto rotated = a.Rotate();
  REQUIRE(rotated.ok());
  REQUIRE(b.Refresh().ok());
  CHECK(b.NextChange() == a.NextChange());
  CheckAgree(a, b);

  // Each replica's timer fires; whichever goes first applies the transition.
  clock.Advance(10'000);
  REQUIRE(b.Advance().ok());
  const ino_t written = StateFileInode(tmp.path());
  REQUIRE(a.Advance().ok());
  CHECK(StateFileInode(tmp.path()) == written);  // a found it done: no second write
  CHECK(a.active().kid() == rotated->kid);
  CheckAgree(a, b);

  // The old key leaves after the TTL and the leeway; the file goes once.
  clock.Advance(61'000);
  REQUIRE(a.Advance().ok());
  REQUIRE(b.Advance().ok());
  CHECK_FALSE(Holds(a, old_kid));
  CHECK_FALSE(Holds(b, old_kid));
  CheckAgree(a, b);
  CHECK(b.current().entries() == Recorded(tmp.path()));
}

TEST_CASE("A transition due while a replica only refreshes is applied on time by its own Advance", "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock, 10);
  KeyRing b = OpenReplica(tmp.path(), clock, 10);
  auto rotated = a.Rotate();
  REQUIRE(rotated.ok());
  REQUIRE(b.Refresh().ok());
  // a is gone (stopped, crashed): b does not wait for it.
  clock.Advance(10'000);
  REQUIRE(b.Advance().ok());
  CHECK(b.active().kid() == rotated->kid);
  auto refreshed = a.Refresh();
  REQUIRE(refreshed.ok());
  CHECK(*refreshed);
  CheckAgree(a, b);
}

TEST_CASE("Rotations on two replicas at once are both recorded and both replicas converge", "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock, 10);
  KeyRing b = OpenReplica(tmp.path(), clock, 10);
  std::vector<std::string> rotated;
  for (int round = 0; round < 5; ++round) {
    std::string kid_a, kid_b;
    std::latch start(2);
    std::thread on_a([&] {
      start.arrive_and_wait();
      auto entry = a.Rotate();
      if (entry.ok()) kid_a = entry->kid;
    });
    std::thread on_b([&] {
      start.arrive_and_wait();
      auto entry = b.Rotate();
      if (entry.ok()) kid_b = entry->kid;
    });
    on_a.join();
    on_b.join();
    REQUIRE_FALSE(kid_a.empty());
    REQUIRE_FALSE(kid_b.empty());
    rotated.push_back(kid_a);
    rotated.push_back(kid_b);
  }
  REQUIRE(a.Refresh().ok());
  REQUIRE(b.Refresh().ok());
  CheckAgree(a, b);
  const std::vector<KeyEntry> recorded = Recorded(tmp.path());
  CHECK(recorded.size() == 1 + rotated.size());  // none lost
  for (const std::string& kid : rotated) {
    CHECK(Holds(a, kid));
    CHECK(std::any_of(recorded.begin(), recorded.end(), [&](const KeyEntry& e) { return e.kid == kid; }));
  }
  CHECK(std::count_if(recorded.begin(), recorded.end(),
                      [](const KeyEntry& e) { return e.state == KeyState::kActive; }) == 1);
}

TEST_CASE("A key file without a record is left to its writer by Refresh and adopted once by Rescan", "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock);
  KeyRing b = OpenReplica(tmp.path(), clock);
  REQUIRE(a.Refresh().ok());
  auto spare = EcKey::Generate();
  REQUIRE(spare.ok());
  testing::WriteFile(tmp.Sub("zz-operator.pem"), spare->PrivatePem());

  const KeySet* before = &b.current();
  auto refreshed = b.Refresh();
  REQUIRE(refreshed.ok());
  CHECK_FALSE(*refreshed);
  CHECK(&b.current() == before);
  CHECK(b.FindByKid(spare->kid()) == nullptr);

  auto adopted = b.Rescan();
  REQUIRE(adopted.ok());
  REQUIRE(adopted->adopted.size() == 1);
  CHECK(b.active().kid() == spare->kid());
  // The other replica takes the recorded key in; its own Rescan finds nothing more to adopt.
  auto again = a.Rescan();
  REQUIRE(again.ok());
  CHECK(again->adopted.empty());
  CHECK(again->refused.empty());
  CheckAgree(a, b);
}

TEST_CASE("Without a state file the states in memory stand, and the next change records them again", "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock);
  KeyRing b = OpenReplica(tmp.path(), clock);
  REQUIRE(a.Refresh().ok());
  const KeySet* before = &b.current();
  std::filesystem::remove(tmp.Sub(kKeyStateFileName));
  auto refreshed = b.Refresh();
  REQUIRE(refreshed.ok());
  CHECK_FALSE(*refreshed);
  CHECK(&b.current() == before);

  auto rotated = a.Rotate();
  REQUIRE(rotated.ok());
  CHECK(Recorded(tmp.path()).size() == 2);
  REQUIRE(b.Refresh().ok());
  CHECK(b.active().kid() == rotated->kid);
  CheckAgree(a, b);
}

TEST_CASE("A state file naming a path out of the directory or another key changes nothing", "[crypto]") {
  TempDir tmp("keyring-shared");
  FakeClock clock;
  KeyRing a = OpenReplica(tmp.path(), clock);
  const KeySet* before = &a.current();
  std::vector<KeyEntry> recorded = Recorded(tmp.path());
  REQUIRE(recorded.size() == 1);

  SECTION("a path out of the directory") {
    testing::WriteFile(tmp.Sub("outside.pem"), "");
    std::vector<KeyEntry> hostile = recorded;
    hostile[0].file = "../" + std::string(tmp.path().substr(tmp.path().rfind('/') + 1)) + "/outside.pem";
    REQUIRE(WriteKeyStates(tmp.Sub(kKeyStateFileName), hostile).ok());
  }
  SECTION("a file that holds another key than recorded") {
    auto other = EcKey::Generate();
    REQUIRE(other.ok());
    testing::WriteFile(tmp.Sub("other.pem"), other->PrivatePem());
    std::vector<KeyEntry> swapped = recorded;
    swapped[0].file = "other.pem";
    REQUIRE(WriteKeyStates(tmp.Sub(kKeyStateFileName), swapped).ok());
  }
  SECTION("no active key") {
    std::vector<KeyEntry> none = recorded;
    none[0].state = KeyState::kRetired;
    REQUIRE(WriteKeyStates(tmp.Sub(kKeyStateFileName), none).ok());
  }
  auto refreshed = a.Refresh();
  CHECK_FALSE(refreshed.ok());
  CHECK(&a.current() == before);
}

}  // namespace keymint::crypto
