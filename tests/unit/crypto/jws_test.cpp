#include "keymint/crypto/jws.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keymint/crypto/encoding.hpp"

using keymint::ErrorCode;
using keymint::Result;
using keymint::crypto::Base64UrlDecode;
using keymint::crypto::Base64UrlEncode;
using keymint::crypto::EncodedJwtHeader;
using keymint::crypto::KeyLookup;
using keymint::crypto::RsaKey;
using keymint::crypto::SignJws;
using keymint::crypto::VerifyJws;

namespace {

class FakeKeys final : public KeyLookup {
 public:
  explicit FakeKeys(std::vector<const RsaKey*> keys) : keys_(std::move(keys)) {}
  const RsaKey* FindByKid(std::string_view kid) const override {
    for (const RsaKey* key : keys_) {
      if (key->kid() == kid) return key;
    }
    return nullptr;
  }

 private:
  std::vector<const RsaKey*> keys_;
};

RsaKey NewKey() {
  auto key = RsaKey::Generate(2048);
  REQUIRE(key.ok());
  return std::move(key).value();
}

const RsaKey& TrustedKey() {
  static const RsaKey key = NewKey();
  return key;
}

const RsaKey& UntrustedKey() {
  static const RsaKey key = NewKey();
  return key;
}

const FakeKeys& Trusted() {
  static const FakeKeys keys({&TrustedKey()});
  return keys;
}

constexpr const char* kClaims = R"({"sub":"user-1","roles":["admin"],"exp":1900000000})";

// A correctly RS256-signed token with any header JSON and payload text.
std::string SignedWithHeader(const RsaKey& key, const std::string& header_json, const std::string& payload) {
  auto token = SignJws(key, Base64UrlEncode(header_json), payload);
  REQUIRE(token.ok());
  return *token;
}

std::string RsHeaderFor(const RsaKey& key) { return R"({"alg":"RS256","typ":"JWT","kid":")" + key.kid() + R"("})"; }

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// The string held by a JSON value ("" when it holds something else).
std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string().data(), v.get_string().size()) : std::string();
}

void RequireRefused(const Result<std::string>& result) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kUnauthenticated);
  CHECK_FALSE(result.error().message.empty());
  CHECK(result.error().message.size() < 64);
}

}  // namespace

TEST_CASE("EncodedJwtHeader is the base64url of the RS256 JWT header with the key's kid", "[crypto]") {
  const auto json = Base64UrlDecode(EncodedJwtHeader(TrustedKey()));
  REQUIRE(json.has_value());
  CHECK(*json == RsHeaderFor(TrustedKey()));
}

TEST_CASE("a signed token verifies and returns the claims", "[crypto]") {
  auto token = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), kClaims);
  REQUIRE(token.ok());
  CHECK(Split(*token).size() == 3);
  CHECK(Split(*token)[0] == EncodedJwtHeader(TrustedKey()));
  auto payload = VerifyJws(*token, Trusted());
  REQUIRE(payload.ok());
  CHECK(*payload == kClaims);
}

TEST_CASE("a token is verified by whichever known key its kid names", "[crypto]") {
  const FakeKeys both({&UntrustedKey(), &TrustedKey()});
  auto token = SignJws(UntrustedKey(), EncodedJwtHeader(UntrustedKey()), kClaims);
  REQUIRE(token.ok());
  CHECK(VerifyJws(*token, both).ok());
}

TEST_CASE("a token with alg none is refused", "[crypto]") {
  const std::string header = Base64UrlEncode(R"({"alg":"none","kid":")" + TrustedKey().kid() + R"("})");
  const std::string payload = Base64UrlEncode(kClaims);
  RequireRefused(VerifyJws(header + "." + payload + ".", Trusted()));
  // Even with a genuine RS256 signature over it.
  RequireRefused(VerifyJws(
      SignedWithHeader(TrustedKey(), R"({"alg":"none","kid":")" + TrustedKey().kid() + R"("})", kClaims), Trusted()));
}

TEST_CASE("an HS256 token MACed with the public key is refused", "[crypto]") {
  // The classic algorithm-confusion forgery: the attacker knows the public key.
  const std::string header = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT","kid":")" + TrustedKey().kid() + R"("})");
  const std::string signing_input = header + "." + Base64UrlEncode(kClaims);
  const std::string public_key = *Base64UrlDecode(TrustedKey().n());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  REQUIRE(HMAC(EVP_sha256(), public_key.data(), static_cast<int>(public_key.size()),
               reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
               &mac_len) != nullptr);
  const std::string token =
      signing_input + "." + Base64UrlEncode(std::string(reinterpret_cast<const char*>(mac), mac_len));
  RequireRefused(VerifyJws(token, Trusted()));
}

TEST_CASE("a token whose alg is missing, not a string or not exactly RS256 is refused", "[crypto]") {
  const std::string kid = TrustedKey().kid();
  for (const std::string& header : {
           R"({"kid":")" + kid + R"("})",
           R"({"alg":null,"kid":")" + kid + R"("})",
           R"({"alg":["RS256"],"kid":")" + kid + R"("})",
           R"({"alg":"rs256","kid":")" + kid + R"("})",
           R"({"alg":"RS256 ","kid":")" + kid + R"("})",
           R"({"alg":"RS512","kid":")" + kid + R"("})",
           R"({"alg":"PS256","kid":")" + kid + R"("})",
       }) {
    INFO(header);
    RequireRefused(VerifyJws(SignedWithHeader(TrustedKey(), header, kClaims), Trusted()));
  }
}

TEST_CASE("a token with a crit header is refused", "[crypto]") {
  const std::string header = R"({"alg":"RS256","kid":")" + TrustedKey().kid() + R"(","crit":["exp"],"exp":1})";
  RequireRefused(VerifyJws(SignedWithHeader(TrustedKey(), header, kClaims), Trusted()));
}

TEST_CASE("a token whose header is not a JSON object is refused", "[crypto]") {
  for (const std::string header : {"[]", "\"RS256\"", "null", "{", "", "{\"alg\":\"RS256\"} x"}) {
    INFO(header);
    RequireRefused(VerifyJws(SignedWithHeader(TrustedKey(), header, kClaims), Trusted()));
  }
}

TEST_CASE("a token signed by an unknown key is refused", "[crypto]") {
  auto token = SignJws(UntrustedKey(), EncodedJwtHeader(UntrustedKey()), kClaims);
  REQUIRE(token.ok());
  RequireRefused(VerifyJws(*token, Trusted()));
}

TEST_CASE("a token with a missing or non-string kid is refused", "[crypto]") {
  RequireRefused(VerifyJws(SignedWithHeader(TrustedKey(), R"({"alg":"RS256"})", kClaims), Trusted()));
  RequireRefused(VerifyJws(SignedWithHeader(TrustedKey(), R"({"alg":"RS256","kid":7})", kClaims), Trusted()));
  RequireRefused(VerifyJws(SignedWithHeader(TrustedKey(), R"({"alg":"RS256","kid":""})", kClaims), Trusted()));
}

TEST_CASE("a token signed by another key that claims the trusted kid is refused", "[crypto]") {
  auto token = SignJws(UntrustedKey(), EncodedJwtHeader(TrustedKey()), kClaims);
  REQUIRE(token.ok());
  auto result = VerifyJws(*token, Trusted());
  RequireRefused(result);
  CHECK(result.error().message == "invalid token signature");
}

TEST_CASE("a token with a tampered payload or header is refused", "[crypto]") {
  auto token = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), kClaims);
  REQUIRE(token.ok());
  auto parts = Split(*token);
  REQUIRE(parts.size() == 3);

  const std::string admin_payload = Base64UrlEncode(R"({"sub":"admin","roles":["admin"],"exp":1900000000})");
  RequireRefused(VerifyJws(parts[0] + "." + admin_payload + "." + parts[2], Trusted()));

  const std::string other_header = Base64UrlEncode(R"({"alg":"RS256","kid":")" + TrustedKey().kid() + R"("})");
  RequireRefused(VerifyJws(other_header + "." + parts[1] + "." + parts[2], Trusted()));

  std::string flipped = *Base64UrlDecode(parts[2]);
  flipped[0] = static_cast<char>(flipped[0] ^ 0x80);
  RequireRefused(VerifyJws(parts[0] + "." + parts[1] + "." + Base64UrlEncode(flipped), Trusted()));
}

TEST_CASE("a token without exactly three parts is refused", "[crypto]") {
  auto token = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), kClaims);
  REQUIRE(token.ok());
  const auto parts = Split(*token);
  RequireRefused(VerifyJws("", Trusted()));
  RequireRefused(VerifyJws(".", Trusted()));
  RequireRefused(VerifyJws("..", Trusted()));
  RequireRefused(VerifyJws("...", Trusted()));
  RequireRefused(VerifyJws(parts[0], Trusted()));
  RequireRefused(VerifyJws(parts[0] + "." + parts[1], Trusted()));
  RequireRefused(VerifyJws(*token + ".", Trusted()));
  RequireRefused(VerifyJws(*token + "." + parts[2], Trusted()));
  RequireRefused(VerifyJws(parts[0] + "." + parts[1] + "." + parts[1] + "." + parts[2], Trusted()));
}

TEST_CASE("a token with invalid base64url in any part is refused", "[crypto]") {
  auto token = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), kClaims);
  REQUIRE(token.ok());
  const auto parts = Split(*token);
  RequireRefused(VerifyJws(parts[0] + "=." + parts[1] + "." + parts[2], Trusted()));
  RequireRefused(VerifyJws(parts[0] + "." + parts[1] + "." + parts[2] + "=", Trusted()));
  RequireRefused(VerifyJws(parts[0] + "." + parts[1] + "." + parts[2] + "A", Trusted()));
  RequireRefused(VerifyJws(" " + *token, Trusted()));
  RequireRefused(VerifyJws(*token + "\n", Trusted()));
}

TEST_CASE("a correctly signed token whose payload is not a JSON object is refused", "[crypto]") {
  for (const std::string payload : {"[1,2]", "\"text\"", "42", "null", "true", "not json", "", "{\"a\":1"}) {
    INFO(payload);
    auto token = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), payload);
    REQUIRE(token.ok());
    RequireRefused(VerifyJws(*token, Trusted()));
  }
}

TEST_CASE("a token over 16 KiB is refused before any work while a large one below it is accepted", "[crypto]") {
  const std::string big_claims = R"({"pad":")" + std::string(10 * 1024, 'x') + R"("})";
  auto big = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), big_claims);
  REQUIRE(big.ok());
  REQUIRE(big->size() < 16 * 1024);
  CHECK(VerifyJws(*big, Trusted()).ok());

  const std::string huge_claims = R"({"pad":")" + std::string(13 * 1024, 'x') + R"("})";
  auto huge = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), huge_claims);
  REQUIRE(huge.ok());
  REQUIRE(huge->size() > 16 * 1024);
  RequireRefused(VerifyJws(*huge, Trusted()));
}

TEST_CASE("SignJws output is a JWT a generic verifier can parse", "[crypto]") {
  auto token = SignJws(TrustedKey(), EncodedJwtHeader(TrustedKey()), kClaims);
  REQUIRE(token.ok());
  const auto parts = Split(*token);
  boost::system::error_code ec;
  const auto header = boost::json::parse(*Base64UrlDecode(parts[0]), ec);
  REQUIRE_FALSE(ec);
  CHECK(Str(header.at("alg")) == "RS256");
  CHECK(Str(header.at("typ")) == "JWT");
  CHECK(Str(header.at("kid")) == TrustedKey().kid());
  CHECK(Base64UrlDecode(parts[2])->size() == 256);
}
