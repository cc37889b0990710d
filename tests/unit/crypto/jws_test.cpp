#include "keymint/crypto/jws.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keymint/crypto/ec_key.hpp"
#include "keymint/crypto/ed25519_key.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/rsa_key.hpp"

using keymint::ErrorCode;
using keymint::Result;
using keymint::crypto::Base64UrlDecode;
using keymint::crypto::Base64UrlEncode;
using keymint::crypto::EcKey;
using keymint::crypto::Ed25519Key;
using keymint::crypto::EncodedJwtHeader;
using keymint::crypto::KeyLookup;
using keymint::crypto::RsaKey;
using keymint::crypto::SigningKey;
using keymint::crypto::SignJws;
using keymint::crypto::VerifyJws;

namespace {

class FakeKeys final : public KeyLookup {
 public:
  explicit FakeKeys(std::vector<const SigningKey*> keys) : keys_(std::move(keys)) {}
  const SigningKey* FindByKid(std::string_view kid) const override {
    for (const SigningKey* key : keys_) {
      if (key->kid() == kid) return key;
    }
    return nullptr;
  }

 private:
  std::vector<const SigningKey*> keys_;
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

const EcKey& TrustedEcKey() {
  static const EcKey key = [] {
    auto generated = EcKey::Generate();
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

const Ed25519Key& TrustedEdKey() {
  static const Ed25519Key key = [] {
    auto generated = Ed25519Key::Generate();
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

// One trusted key of each algorithm.
const FakeKeys& TrustedMixed() {
  static const FakeKeys keys({&TrustedKey(), &TrustedEcKey(), &TrustedEdKey()});
  return keys;
}

// A token correctly signed by `key` (whatever the header says) with any header JSON and payload text.
std::string SignedWithHeader(const SigningKey& key, const std::string& header_json, const std::string& payload) {
  auto token = SignJws(key, Base64UrlEncode(header_json), payload);
  REQUIRE(token.ok());
  return *token;
}

std::string HeaderFor(const SigningKey& key, const std::string& alg) {
  return R"({"alg":")" + alg + R"(","typ":"JWT","kid":")" + key.kid() + R"("})";
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

TEST_CASE("EncodedJwtHeader names the key's algorithm", "[crypto]") {
  CHECK(*Base64UrlDecode(EncodedJwtHeader(TrustedEcKey())) == HeaderFor(TrustedEcKey(), "ES256"));
  CHECK(*Base64UrlDecode(EncodedJwtHeader(TrustedEdKey())) == HeaderFor(TrustedEdKey(), "EdDSA"));
}

TEST_CASE("ES256 and EdDSA tokens sign and verify like RS256 ones, with 64-byte signatures", "[crypto]") {
  for (const SigningKey* key : std::vector<const SigningKey*>{&TrustedEcKey(), &TrustedEdKey()}) {
    INFO(key->public_jwk());
    auto token = SignJws(*key, EncodedJwtHeader(*key), kClaims);
    REQUIRE(token.ok());
    const auto parts = Split(*token);
    REQUIRE(parts.size() == 3);
    CHECK(Base64UrlDecode(parts[2])->size() == 64);
    auto payload = VerifyJws(*token, TrustedMixed());
    REQUIRE(payload.ok());
    CHECK(*payload == kClaims);
    RequireRefused(VerifyJws(*token, Trusted()));  // its key is not in this set
  }
}

TEST_CASE("a token whose alg is not its key's algorithm is refused, whatever signed it", "[crypto]") {
  // Each key signs tokens whose header names each other algorithm (and
  // spellings that are no algorithm at all): the signature is the key's own,
  // so only the algorithm check can refuse them.
  struct Case {
    const SigningKey* key;
    std::vector<std::string> wrong_algs;
  };
  const std::vector<Case> cases = {
      {&TrustedKey(), {"ES256", "EdDSA"}},
      {&TrustedEcKey(), {"RS256", "EdDSA", "ES384", "es256"}},
      {&TrustedEdKey(), {"RS256", "ES256", "Ed25519", "EDDSA"}},
  };
  for (const Case& c : cases) {
    for (const std::string& alg : c.wrong_algs) {
      INFO(c.key->public_jwk() << " with alg " << alg);
      auto result = VerifyJws(SignedWithHeader(*c.key, HeaderFor(*c.key, alg), kClaims), TrustedMixed());
      RequireRefused(result);
    }
  }
  auto mismatch =
      VerifyJws(SignedWithHeader(TrustedEcKey(), HeaderFor(TrustedEcKey(), "RS256"), kClaims), TrustedMixed());
  RequireRefused(mismatch);
  CHECK(mismatch.error().message == "token algorithm does not match its key");
}

TEST_CASE("a token signed by one key but naming another key of another algorithm is refused", "[crypto]") {
  // An EC signature presented under the RSA key's kid and the RSA alg, and the reverse.
  RequireRefused(
      VerifyJws(SignedWithHeader(TrustedEcKey(), HeaderFor(TrustedKey(), "RS256"), kClaims), TrustedMixed()));
  RequireRefused(
      VerifyJws(SignedWithHeader(TrustedKey(), HeaderFor(TrustedEcKey(), "ES256"), kClaims), TrustedMixed()));
  RequireRefused(
      VerifyJws(SignedWithHeader(TrustedEdKey(), HeaderFor(TrustedEcKey(), "ES256"), kClaims), TrustedMixed()));
  RequireRefused(
      VerifyJws(SignedWithHeader(TrustedEcKey(), HeaderFor(TrustedEdKey(), "EdDSA"), kClaims), TrustedMixed()));
}

TEST_CASE("alg none and crit are refused for ES256 and EdDSA keys too", "[crypto]") {
  for (const SigningKey* key : std::vector<const SigningKey*>{&TrustedEcKey(), &TrustedEdKey()}) {
    INFO(key->public_jwk());
    const std::string none_header = Base64UrlEncode(R"({"alg":"none","kid":")" + key->kid() + R"("})");
    RequireRefused(VerifyJws(none_header + "." + Base64UrlEncode(kClaims) + ".", TrustedMixed()));
    RequireRefused(
        VerifyJws(SignedWithHeader(*key, R"({"alg":"none","kid":")" + key->kid() + R"("})", kClaims), TrustedMixed()));
    const std::string alg(keymint::crypto::AlgorithmName(key->algorithm()));
    RequireRefused(VerifyJws(
        SignedWithHeader(*key, R"({"alg":")" + alg + R"(","kid":")" + key->kid() + R"(","crit":["exp"],"exp":1})",
                         kClaims),
        TrustedMixed()));
  }
}

TEST_CASE("an ES256 token carrying a DER signature instead of R and S is refused", "[crypto]") {
  auto token = SignJws(TrustedEcKey(), EncodedJwtHeader(TrustedEcKey()), kClaims);
  REQUIRE(token.ok());
  const auto parts = Split(*token);
  const std::string raw = *Base64UrlDecode(parts[2]);
  // The same R and S as the DER ECDSA-Sig-Value OpenSSL works with (SEQUENCE of two INTEGERs).
  std::string der = "\x30";
  std::string body;
  for (int half = 0; half < 2; ++half) {
    std::string integer = raw.substr(half * 32, 32);
    if (static_cast<unsigned char>(integer[0]) & 0x80) integer.insert(integer.begin(), '\0');
    body += '\x02';
    body += static_cast<char>(integer.size());
    body += integer;
  }
  der += static_cast<char>(body.size());
  der += body;
  RequireRefused(VerifyJws(parts[0] + "." + parts[1] + "." + Base64UrlEncode(der), TrustedMixed()));
  CHECK(VerifyJws(*token, TrustedMixed()).ok());
}
