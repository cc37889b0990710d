// keymint_sign_rate: how many tokens the signing key alone allows per second
// on this core, the ceiling for token issuance. Signs a typical token's claims
// with keymint's own JWS code and the active key of a keys directory (the
// key keymint itself signs with), for a fixed time, on the calling thread.
//
//   keymint_sign_rate --keys-dir DIR [--algorithm RS256|ES256|EdDSA] [--seconds S]
// Prints one JSON object: {"alg","kid","signatures","seconds","signatures_per_second"}.
// The key is the one keymint started with the same --signing-algorithm signs with.
// Pin it with taskset to the core keymint uses to compare the two.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace {

// The claims of a token keymint mints for an access key, at their usual size.
constexpr std::string_view kClaims =
    R"({"iss":"http://127.0.0.1:8080","sub":"6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f","aud":"http://127.0.0.1:8080",)"
    R"("iat":1796000000,"nbf":1796000000,"exp":1796003600,"jti":"Q2xpZW50Q3JlZGVudGlhbHM","client_id":)"
    R"("kmq8Xb3v0Jw5cF2nT9rLhA","roles":["System administrator"],"preferred_username":"admin@keymint.local","gen":1})";

int Usage() {
  std::fputs("usage: keymint_sign_rate --keys-dir DIR [--algorithm RS256|ES256|EdDSA] [--seconds S]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string keys_dir;
  double seconds = 5;
  keymint::crypto::SigningAlgorithm algorithm = keymint::crypto::SigningAlgorithm::kRs256;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--keys-dir") {
      keys_dir = argv[i + 1];
    } else if (flag == "--algorithm") {
      const auto parsed = keymint::crypto::ParseSigningAlgorithm(argv[i + 1]);
      if (!parsed) return Usage();
      algorithm = *parsed;
    } else if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else {
      return Usage();
    }
  }
  if (keys_dir.empty() || !(seconds > 0) || argc % 2 == 0) return Usage();

  auto ring = keymint::crypto::KeyRing::Open(keys_dir, algorithm);
  if (!ring) {
    std::fprintf(stderr, "keymint_sign_rate: %s\n", ring.error().message.c_str());
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  // One untimed signature prepares this thread's signing context, as keymint's first token does.
  if (!keymint::crypto::SignJws(ring->active(), ring->active_header(), kClaims)) return 1;
  const auto start = Clock::now();
  long long signatures = 0;
  Clock::time_point now = start;
  while (now < end) {
    if (!keymint::crypto::SignJws(ring->active(), ring->active_header(), kClaims)) return 1;
    ++signatures;
    now = Clock::now();
  }
  const double elapsed = std::chrono::duration<double>(now - start).count();
  std::printf("{\"alg\":\"%s\",\"kid\":\"%s\",\"signatures\":%lld,\"seconds\":%.3f,\"signatures_per_second\":%.1f}\n",
              std::string(keymint::crypto::AlgorithmName(algorithm)).c_str(), ring->active().kid().c_str(), signatures,
              elapsed, static_cast<double>(signatures) / elapsed);
  return 0;
}
