// Writes the seed corpus of the jwt fuzz target: compact JWS tokens signed
// with the fixed RFC 7515 A.2 key (RS256 with PKCS#1 v1.5 is deterministic,
// so the output is the same on every run), valid and subtly invalid, and
// header/claims pairs for the harness-signed mode.
//   make_jwt_seeds DIR
// The first byte of each file is the fuzz target's mode: 't' a token as sent,
// 'q' header NUL claims signed by the harness with the fixed key, 's' the same
// with the per-process generated key.
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"

namespace {

using keymint::crypto::Base64UrlEncode;
using keymint::crypto::RsaKey;

const std::string kUserClaims =
    R"({"iss":"https://keymint.test","sub":"6f1c1f0e-3b7a-4c43-9d55-0d1f6f1c2a11","aud":"https://keymint.test/api",)"
    R"("iat":1700000000,"nbf":1700000000,"exp":1700003600,"jti":"3q2-7wAAAAAAAAAAAAAAAA",)"
    R"("roles":["Viewer"],"preferred_username":"ada@example.com"})";
const std::string kServiceAccountClaims =
    R"({"iss":"https://keymint.test","sub":"2b7e1516-28ae-4d2a-abf7-158809cf4f3c","aud":"https://keymint.test/api",)"
    R"("iat":1700000000,"nbf":1700000000,"exp":1700003600,"jti":"AAECAwQFBgcICQoLDA0ODw",)"
    R"("client_id":"f3VuZHJ5LWNsaWVudC1pZA","roles":["ML engineer"],"preferred_username":"ci-pipeline"})";

std::string Header(const RsaKey& key, std::string_view extra = "") {
  return R"({"alg":"RS256","typ":"JWT","kid":")" + key.kid() + "\"" + std::string(extra) + "}";
}

std::string Sign(const RsaKey& key, const std::string& header_json, const std::string& claims) {
  auto token = keymint::crypto::SignJws(key, Base64UrlEncode(header_json), claims);
  if (!token.ok()) keymint::fuzz::Fail("SignJws", __FILE__, __LINE__, token.error().message);
  return *token;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_jwt_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const RsaKey& key = keymint::fuzz::FixedKey();
  auto write = [&](const char* name, const std::string& contents) {
    keymint::fuzz::WriteFile(dir + "/" + name, contents);
  };

  // The header keymint's own tokens carry.
  auto minted = keymint::crypto::SignJws(key, keymint::crypto::EncodedJwtHeader(key), kUserClaims);
  if (!minted.ok()) keymint::fuzz::Fail("SignJws", __FILE__, __LINE__, minted.error().message);
  const std::string user = *minted;
  write("t-user-token", "t" + user);
  write("t-service-account-token", "t" + Sign(key, Header(key), kServiceAccountClaims));
  std::string tampered = user;
  tampered[tampered.rfind('.') + 10] = tampered[tampered.rfind('.') + 10] == 'A' ? 'B' : 'A';
  write("t-bad-signature", "t" + tampered);
  std::string other_claims = user;
  other_claims.replace(user.find('.') + 1, user.rfind('.') - user.find('.') - 1,
                       Base64UrlEncode(R"({"sub":"admin","roles":["System administrator"]})"));
  write("t-swapped-claims", "t" + other_claims);
  write("t-alg-none",
        "t" + Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(kUserClaims) + ".");
  write("t-hs256", "t" + Base64UrlEncode(R"({"alg":"HS256","typ":"JWT","kid":")" + key.kid() + "\"}") + "." +
                       Base64UrlEncode(kUserClaims) + "." + Base64UrlEncode(std::string(32, '\x42')));
  write("t-crit", "t" + Sign(key, Header(key, R"(,"crit":["exp"],"exp":1))"), kUserClaims));
  write("t-unknown-kid", "t" + Sign(key, R"({"alg":"RS256","kid":"unknown"})", kUserClaims));
  write("t-payload-array", "t" + Sign(key, Header(key), R"(["not","an","object"])"));
  write("t-two-parts", "t" + user.substr(0, user.rfind('.')));
  write("t-four-parts", "t" + user + ".AAAA");
  write("t-padded", "t" + user + "==");

  write("q-user-claims", "q" + Header(key) + '\0' + kUserClaims);
  write("q-service-account-claims", "q" + Header(key) + '\0' + kServiceAccountClaims);
  write("q-escaped-kid",
        "q" + std::string(R"({"alg":"RS256","kid":"\u0041)") + key.kid().substr(1) + "\"}" + '\0' + kUserClaims);
  write("q-duplicate-alg",
        "q" + std::string(R"({"alg":"none","alg":"RS256","kid":")") + key.kid() + "\"}" + '\0' + kUserClaims);
  write("q-payload-not-json", "q" + Header(key) + '\0' + "{\"iss\":");
  write("s-generated-key", "s" + Header(key) + '\0' + kUserClaims);
  return 0;
}
