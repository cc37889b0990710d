#include "keymint/crypto/password_hash.hpp"

#include <catch2/catch.hpp>
#include <string>

using keymint::crypto::HashPassword;
using keymint::crypto::VerifyPassword;

namespace {
constexpr int kFast = 1000;  // keeps the tests quick; the default is covered once below
}

TEST_CASE("HashPassword output has the documented self-describing format", "[crypto]") {
  const std::string encoded = HashPassword("hunter2", kFast);
  CHECK(encoded.rfind("pbkdf2-sha256$1000$", 0) == 0);
  // 16-byte salt -> 22 chars, 32-byte hash -> 43 chars.
  CHECK(encoded.size() == std::string("pbkdf2-sha256$1000$").size() + 22 + 1 + 43);
}

TEST_CASE("VerifyPassword accepts the password that was hashed and refuses others", "[crypto]") {
  const std::string encoded = HashPassword("correct horse battery staple", kFast);
  CHECK(VerifyPassword("correct horse battery staple", encoded));
  CHECK_FALSE(VerifyPassword("correct horse battery stapl", encoded));
  CHECK_FALSE(VerifyPassword("Correct horse battery staple", encoded));
  CHECK_FALSE(VerifyPassword("", encoded));
}

TEST_CASE("the empty password and non-ASCII passwords round-trip", "[crypto]") {
  CHECK(VerifyPassword("", HashPassword("", kFast)));
  CHECK(VerifyPassword("p\xc3\xa4ssw\xc3\xb6rd", HashPassword("p\xc3\xa4ssw\xc3\xb6rd", kFast)));
  CHECK_FALSE(VerifyPassword("passw\xc3\xb6rd", HashPassword("p\xc3\xa4ssw\xc3\xb6rd", kFast)));
}

TEST_CASE("two hashes of the same password differ because of the salt", "[crypto]") {
  const std::string a = HashPassword("same", kFast);
  const std::string b = HashPassword("same", kFast);
  CHECK(a != b);
  CHECK(VerifyPassword("same", a));
  CHECK(VerifyPassword("same", b));
}

TEST_CASE("HashPassword uses 600000 iterations by default and verifies", "[crypto]") {
  const std::string encoded = HashPassword("slow but strong");
  CHECK(encoded.rfind("pbkdf2-sha256$600000$", 0) == 0);
  CHECK(VerifyPassword("slow but strong", encoded));
}

TEST_CASE("VerifyPassword matches a PBKDF2-HMAC-SHA-256 known answer", "[crypto]") {
  // RFC 7914 §11: PBKDF2-HMAC-SHA-256 (P="passwd", S="salt", c=1, dkLen=64); first 32 bytes.
  // salt "salt" = c2FsdA; DK[0..32) = 55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc.
  const std::string encoded = "pbkdf2-sha256$1$c2FsdA$VawEblbjCJ_sFpHCJUS2BflBhSFt3gRl5oudV8INrLw";
  CHECK(VerifyPassword("passwd", encoded));
  CHECK_FALSE(VerifyPassword("passwd2", encoded));
}

TEST_CASE("VerifyPassword returns false for malformed encodings", "[crypto]") {
  const std::string good = HashPassword("pw", kFast);
  REQUIRE(VerifyPassword("pw", good));
  const auto first = good.find('$');
  const auto second = good.find('$', first + 1);
  const auto third = good.find('$', second + 1);
  const std::string salt = good.substr(second + 1, third - second - 1);
  const std::string hash = good.substr(third + 1);
  auto with = [&](const std::string& scheme, const std::string& iterations, const std::string& s,
                  const std::string& h) { return scheme + "$" + iterations + "$" + s + "$" + h; };

  CHECK(VerifyPassword("pw", with("pbkdf2-sha256", "1000", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", ""));
  CHECK_FALSE(VerifyPassword("pw", "pbkdf2-sha256"));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha512", "1000", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("PBKDF2-SHA256", "1000", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "0", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "01000", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "+1000", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "-1000", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000 ", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "10000001", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "99999999999", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1e3", salt, hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", "", hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", salt + "=", hash)));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", salt, hash + "=")));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", salt, hash.substr(0, 42))));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", salt, hash + "AA")));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", salt, "")));
  CHECK_FALSE(VerifyPassword("pw", with("pbkdf2-sha256", "1000", "sa*t", hash)));
  CHECK_FALSE(VerifyPassword("pw", good + "$"));
  CHECK_FALSE(VerifyPassword("pw", good + "$extra"));
  CHECK_FALSE(VerifyPassword("pw", " " + good));
}
