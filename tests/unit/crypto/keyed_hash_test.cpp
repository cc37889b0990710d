#include "keymint/crypto/keyed_hash.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>

namespace keymint::crypto {
namespace {

std::string Sequence(std::size_t n) {
  std::string bytes;
  for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

TEST_CASE("SipHash64 matches the SipHash-2-4 paper's vectors", "[crypto]") {
  const std::string key = Sequence(16);  // 00 01 .. 0f
  // Appendix A of "SipHash: a fast short-input PRF" (Aumasson, Bernstein).
  CHECK(SipHash64(key, Sequence(15)) == 0xa129ca6149be45e5ULL);
  // The first entry of the reference implementation's vector table (empty input).
  CHECK(SipHash64(key, "") == 0x726fdb47dd0e0e31ULL);
}

TEST_CASE("SipHash64 gives the same answer when called again on any thread", "[crypto]") {
  const std::string key = Sequence(16);
  const uint64_t first = SipHash64(key, "client-id");
  uint64_t other_thread = 0;
  std::thread([&] { other_thread = SipHash64(key, "client-id"); }).join();
  CHECK(SipHash64(key, "client-id") == first);
  CHECK(other_thread == first);
  CHECK(SipHash64(key, "client-id2") != first);
}

TEST_CASE("KeyedHash64 is stable within the process and tells keys apart", "[crypto]") {
  CHECK(KeyedHash64("127.0.0.1") == KeyedHash64("127.0.0.1"));
  CHECK(KeyedHash64("127.0.0.1") != KeyedHash64("127.0.0.2"));
  // Not the unkeyed function under a fixed, public key.
  CHECK(KeyedHash64("127.0.0.1") != SipHash64(Sequence(16), "127.0.0.1"));
}

}  // namespace
}  // namespace keymint::crypto
