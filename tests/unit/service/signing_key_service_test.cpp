// The signing-key service's timer refreshes the key ring from the keys
// directory, so that a rotation recorded by another replica sharing it signs
// here within the refresh interval (key_ring.hpp "Shared directory").
#include "keymint/service/signing_key_service.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "keymint/crypto/key_ring.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint {
namespace {

using namespace std::chrono_literals;

crypto::KeyRing OpenReplica(const std::string& dir) {
  // ES256: quick to generate. The system clock: the timer waits on it.
  auto ring = crypto::KeyRing::Open(dir, crypto::SigningAlgorithm::kEs256, {nullptr, 0, 60});
  REQUIRE(ring.ok());
  return std::move(ring).value();
}

// Polls until `ring` signs with `kid`, for up to `limit`; how long it took.
std::chrono::milliseconds WaitForActive(const crypto::KeyRing& ring, const std::string& kid,
                                        std::chrono::milliseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  while (ring.active().kid() != kid && std::chrono::steady_clock::now() - start < limit) {
    std::this_thread::sleep_for(5ms);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace

TEST_CASE("A rotation on another replica signs here within the refresh interval", "[service]") {
  testing::TempDir tmp("signing-keys");
  crypto::KeyRing here = OpenReplica(tmp.path());
  crypto::KeyRing there = OpenReplica(tmp.path());
  SigningKeyService service(here, nullptr, 100ms);
  service.Start();

  auto rotated = there.Rotate();
  REQUIRE(rotated.ok());
  const auto took = WaitForActive(here, rotated->kid, 2s);
  CHECK(here.active().kid() == rotated->kid);
  CHECK(took < 1s);
  CHECK(here.jwks_json() == there.jwks_json());
  CHECK(service.List() == there.current().entries());
}

TEST_CASE("With a refresh interval of zero the timer never looks at the directory", "[service]") {
  testing::TempDir tmp("signing-keys");
  crypto::KeyRing here = OpenReplica(tmp.path());
  crypto::KeyRing there = OpenReplica(tmp.path());
  const std::string kid = here.active().kid();
  SigningKeyService service(here, nullptr, 0ms);
  service.Start();

  auto rotated = there.Rotate();
  REQUIRE(rotated.ok());
  std::this_thread::sleep_for(300ms);
  CHECK(here.active().kid() == kid);
  // A rotation here still takes in the other replica's first (it re-reads under the lock).
  auto own = service.Rotate();
  REQUIRE(own.ok());
  CHECK(here.FindByKid(rotated->kid) != nullptr);
  CHECK(here.active().kid() == own->kid);
}

}  // namespace keymint
