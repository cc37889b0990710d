#include "keymint/crypto/client_secret.hpp"

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>

#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/random.hpp"

using keymint::crypto::ClientSecretChecksum;
using keymint::crypto::Crc32;
using keymint::crypto::IsMalformedClientSecret;
using keymint::crypto::IsWellFormedClientSecret;
using keymint::crypto::NewClientSecret;

namespace {

// The documented example: the random part encodes the bytes 0x00..0x1f.
const std::string kExample = "kmsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh81rOono";

// `secret` with the character at `index` replaced by the next one in `alphabet`.
std::string Bump(std::string secret, std::size_t index, std::string_view alphabet) {
  const std::size_t at = alphabet.find(secret[index]);
  REQUIRE(at != std::string_view::npos);
  secret[index] = alphabet[(at + 1) % alphabet.size()];
  return secret;
}

constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

TEST_CASE("Crc32 matches the IEEE 802.3 check value", "[crypto]") {
  CHECK(Crc32("") == 0u);
  CHECK(Crc32("123456789") == 0xCBF43926u);
  CHECK(Crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
}

TEST_CASE("the checksum is the CRC-32 in six zero-padded base62 digits", "[crypto]") {
  CHECK(ClientSecretChecksum("123456789") == "3jZRME");  // 0xCBF43926
  CHECK(ClientSecretChecksum("") == "000000");
  CHECK(ClientSecretChecksum("kmsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8") == "1rOono");
  CHECK(ClientSecretChecksum("kmsec_" + std::string(43, 'A')) == "2SIUDP");  // 32 zero bytes
}

TEST_CASE("a new client secret is kmsec_, 256 random bits in base64url and a matching checksum", "[crypto]") {
  const std::regex format("kmsec_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string secret = NewClientSecret();
    REQUIRE(secret.size() == 55);
    REQUIRE(std::regex_match(secret, format));
    REQUIRE(IsWellFormedClientSecret(secret));
    REQUIRE_FALSE(IsMalformedClientSecret(secret));
    const auto random_part = keymint::crypto::Base64UrlDecode(secret.substr(6, 43));
    REQUIRE(random_part.has_value());
    CHECK(random_part->size() == 32);
    seen.insert(secret);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("the documented example is well formed", "[crypto]") {
  CHECK(IsWellFormedClientSecret(kExample));
  CHECK_FALSE(IsMalformedClientSecret(kExample));
}

TEST_CASE("changing any one character of a secret makes it malformed", "[crypto]") {
  const std::string secret = NewClientSecret();
  for (std::size_t i = 0; i < secret.size(); ++i) {
    INFO("index " << i);
    // Within the prefix any change removes the prefix: such text is simply not a
    // kmsec_ secret (and, 55 characters long, not one of the earlier format either).
    if (i < 6) {
      std::string changed = secret;
      changed[i] = changed[i] == 'x' ? 'y' : 'x';
      CHECK_FALSE(IsWellFormedClientSecret(changed));
      continue;
    }
    const std::string changed = Bump(secret, i, i < 49 ? kBase64Url : kBase62);
    CHECK_FALSE(IsWellFormedClientSecret(changed));
    CHECK(IsMalformedClientSecret(changed));
  }
}

TEST_CASE("prefixed text of the wrong length or alphabet is malformed", "[crypto]") {
  const std::string secret = NewClientSecret();
  for (const std::string& bad :
       {secret.substr(0, 54), secret + "A", secret + secret, std::string("kmsec_"), std::string("kmsec_x"),
        secret.substr(0, 48) + "=" + secret.substr(49), secret.substr(0, 20) + "+" + secret.substr(21),
        secret.substr(0, 30) + " " + secret.substr(31)}) {
    INFO(bad);
    CHECK_FALSE(IsWellFormedClientSecret(bad));
    CHECK(IsMalformedClientSecret(bad));
  }
}

TEST_CASE("a non-canonical random part is malformed even with a matching checksum", "[crypto]") {
  // The 43rd character of 32 bytes in base64url carries two zero bits; 'B' sets one.
  const std::string body = std::string(42, 'A') + "B";
  const std::string text = "kmsec_" + body;
  const std::string secret = text + ClientSecretChecksum(text);
  CHECK_FALSE(IsWellFormedClientSecret(secret));
  CHECK(IsMalformedClientSecret(secret));
}

TEST_CASE("secrets of the earlier format are never malformed, even when they start with kmsec_", "[crypto]") {
  for (int i = 0; i < 100; ++i) {
    const std::string earlier = keymint::crypto::RandomUrlSafe(32);
    CHECK_FALSE(IsWellFormedClientSecret(earlier));
    CHECK_FALSE(IsMalformedClientSecret(earlier));
  }
  // 43 base64url characters that happen to begin with the prefix (1 in 2^36).
  const std::string unlucky = "kmsec_" + keymint::crypto::RandomUrlSafe(32).substr(6);
  REQUIRE(unlucky.size() == 43);
  CHECK_FALSE(IsMalformedClientSecret(unlucky));
}

TEST_CASE("text without the prefix is never malformed: it is checked against the store as before", "[crypto]") {
  for (const std::string& other : {std::string(), std::string("nope"), std::string("KMSEC_") + std::string(49, 'A'),
                                   std::string("kmsec") + std::string(50, 'A')}) {
    INFO(other);
    CHECK_FALSE(IsMalformedClientSecret(other));
    CHECK_FALSE(IsWellFormedClientSecret(other));
  }
}
