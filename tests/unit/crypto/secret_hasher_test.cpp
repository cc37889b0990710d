#include "keymint/crypto/secret_hasher.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using keymint::crypto::SecretHasher;

namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

}  // namespace

TEST_CASE("SecretHasher gives the same 32-byte hash for the same key and secret", "[crypto]") {
  const SecretHasher a(std::string(32, 'k'));
  const SecretHasher b(std::string(32, 'k'));
  const std::string hash = a.Hash("my-client-secret");
  CHECK(hash.size() == 32);
  CHECK(a.Hash("my-client-secret") == hash);
  CHECK(b.Hash("my-client-secret") == hash);
  CHECK(a.Hash("my-client-secret!") != hash);
}

TEST_CASE("SecretHasher gives a different hash under a different key", "[crypto]") {
  const SecretHasher a(std::string(32, 'k'));
  const SecretHasher b(std::string(32, 'K'));
  CHECK(a.Hash("secret") != b.Hash("secret"));
}

TEST_CASE("SecretHasher computes HMAC-SHA-256 (RFC 4231 test case 2)", "[crypto]") {
  const SecretHasher hasher("Jefe");
  const std::string expected = FromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hasher.Hash("what do ya want for nothing?") == expected);
}

TEST_CASE("SecretHasher::Verify accepts the right secret and refuses others", "[crypto]") {
  const SecretHasher hasher(std::string(32, '\x01'));
  const std::string stored = hasher.Hash("right");
  CHECK(hasher.Verify("right", stored));
  CHECK_FALSE(hasher.Verify("wrong", stored));
  CHECK_FALSE(hasher.Verify("right", stored.substr(0, 31)));
  CHECK_FALSE(hasher.Verify("right", ""));
  CHECK_FALSE(hasher.Verify("right", stored + "x"));
  CHECK_FALSE(SecretHasher(std::string(32, '\x02')).Verify("right", stored));
}

TEST_CASE("SecretHasher keeps each key's hashes apart when hashers alternate and threads share them", "[crypto]") {
  // Each thread prepares one HMAC context per hasher: alternating between
  // hashers, and many short-lived ones, must never mix up their keys.
  const SecretHasher jefe("Jefe");
  const std::string rfc4231 = FromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  for (int i = 0; i < 20; ++i) {
    const SecretHasher other(std::string(32, static_cast<char>('a' + i)));
    const std::string other_hash = other.Hash("what do ya want for nothing?");
    CHECK(jefe.Hash("what do ya want for nothing?") == rfc4231);
    CHECK(other_hash != rfc4231);
    CHECK(other.Hash("what do ya want for nothing?") == other_hash);
  }
  std::vector<std::string> from_threads(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < from_threads.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) from_threads[t] = jefe.Hash("what do ya want for nothing?");
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& hash : from_threads) CHECK(hash == rfc4231);
}
