#include "keymint/crypto/secret_hasher.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

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
