#include "keymint/crypto/encoding.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "keymint/crypto/random.hpp"

using keymint::crypto::Base64Decode;
using keymint::crypto::Base64Encode;
using keymint::crypto::Base64UrlDecode;
using keymint::crypto::Base64UrlEncode;

TEST_CASE("base64 encodes the RFC 4648 section 10 test vectors", "[crypto]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  CHECK(Base64Encode("fooba") == "Zm9vYmE=");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 decodes the RFC 4648 section 10 test vectors", "[crypto]") {
  CHECK(Base64Decode("") == std::string());
  CHECK(Base64Decode("Zg==") == std::string("f"));
  CHECK(Base64Decode("Zm8=") == std::string("fo"));
  CHECK(Base64Decode("Zm9v") == std::string("foo"));
  CHECK(Base64Decode("Zm9vYg==") == std::string("foob"));
  CHECK(Base64Decode("Zm9vYmE=") == std::string("fooba"));
  CHECK(Base64Decode("Zm9vYmFy") == std::string("foobar"));
}

TEST_CASE("base64url encodes the RFC 4648 vectors without padding", "[crypto]") {
  CHECK(Base64UrlEncode("") == "");
  CHECK(Base64UrlEncode("f") == "Zg");
  CHECK(Base64UrlEncode("fo") == "Zm8");
  CHECK(Base64UrlEncode("foo") == "Zm9v");
  CHECK(Base64UrlEncode("foob") == "Zm9vYg");
  CHECK(Base64UrlEncode("fooba") == "Zm9vYmE");
  CHECK(Base64UrlEncode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url uses - and _ where base64 uses + and /", "[crypto]") {
  const std::string bytes("\xfb\xff\xbf", 3);
  CHECK(Base64Encode(bytes) == "+/+/");
  CHECK(Base64UrlEncode(bytes) == "-_-_");
  CHECK(Base64UrlDecode("-_-_") == bytes);
  CHECK(Base64Decode("+/+/") == bytes);
}

TEST_CASE("base64url round-trips every length and byte value", "[crypto]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); ++len) {
    const std::string bytes = all.substr(all.size() - len);
    REQUIRE(Base64UrlDecode(Base64UrlEncode(bytes)) == bytes);
    REQUIRE(Base64Decode(Base64Encode(bytes)) == bytes);
  }
  for (int i = 0; i < 200; ++i) {
    const std::string bytes = keymint::crypto::RandomBytes(static_cast<std::size_t>(i));
    REQUIRE(Base64UrlDecode(Base64UrlEncode(bytes)) == bytes);
  }
}

TEST_CASE("base64url decoding rejects padding, foreign characters and impossible lengths", "[crypto]") {
  CHECK_FALSE(Base64UrlDecode("Zg=="));
  CHECK_FALSE(Base64UrlDecode("Zg="));
  CHECK_FALSE(Base64UrlDecode("Zm8="));
  CHECK_FALSE(Base64UrlDecode("Zm9v+A"));
  CHECK_FALSE(Base64UrlDecode("Zm9v/A"));
  CHECK_FALSE(Base64UrlDecode("Zm9 v"));
  CHECK_FALSE(Base64UrlDecode("Zm9v\n"));
  CHECK_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)));
  CHECK_FALSE(Base64UrlDecode("Zm9vY"));  // len % 4 == 1
  CHECK_FALSE(Base64UrlDecode("Z"));
  CHECK_FALSE(Base64UrlDecode("\xc3\xa9\xc3\xa9"));
}

TEST_CASE("base64url decoding rejects non-zero trailing bits so each value has one encoding", "[crypto]") {
  CHECK(Base64UrlDecode("Zg") == std::string("f"));
  CHECK_FALSE(Base64UrlDecode("Zh"));
  CHECK(Base64UrlDecode("Zm8") == std::string("fo"));
  CHECK_FALSE(Base64UrlDecode("Zm9"));
}

TEST_CASE("base64 decoding requires correct padding and rejects anything malformed", "[crypto]") {
  CHECK_FALSE(Base64Decode("Zg"));
  CHECK_FALSE(Base64Decode("Zg="));
  CHECK_FALSE(Base64Decode("Zg==="));
  CHECK_FALSE(Base64Decode("Z==="));
  CHECK_FALSE(Base64Decode("===="));
  CHECK_FALSE(Base64Decode("Zm8=Zm8="));
  CHECK_FALSE(Base64Decode("Z=g="));
  CHECK_FALSE(Base64Decode("Zm9v-_-_"));
  CHECK_FALSE(Base64Decode("Zm9v YmFy"));
  CHECK_FALSE(Base64Decode("Zh=="));
  CHECK_FALSE(Base64Decode("Zm9="));
}
