#include "keymint/crypto/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "crypto/openssl_handles.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr int kMinIterations = 1;
// Upper bound accepted from a stored hash: a tampered record must not be able
// to make one login cost minutes of CPU.
constexpr int kMaxIterations = 10'000'000;
constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kMaxSaltSize = 64;
constexpr std::size_t kHashSize = 32;

std::optional<std::string> Pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  if (password.size() > INT_MAX || salt.size() > INT_MAX) return std::nullopt;
  std::string out(kHashSize, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                        internal::Sha256(), static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return std::nullopt;
  }
  return out;
}

// Decimal without sign or leading zeros, in [kMinIterations, kMaxIterations].
std::optional<int> ParseIterations(std::string_view text) {
  if (text.empty() || text.size() > 8 || text.front() == '0') return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < kMinIterations || value > kMaxIterations) return std::nullopt;
  return value;
}

// Splits `text` on '$' into exactly N fields.
template <std::size_t N>
std::optional<std::array<std::string_view, N>> SplitExact(std::string_view text) {
  std::array<std::string_view, N> fields;
  for (std::size_t i = 0; i + 1 < N; ++i) {
    const auto pos = text.find('$');
    if (pos == std::string_view::npos) return std::nullopt;
    fields[i] = text.substr(0, pos);
    text.remove_prefix(pos + 1);
  }
  if (text.find('$') != std::string_view::npos) return std::nullopt;
  fields[N - 1] = text;
  return fields;
}

}  // namespace

std::string HashPassword(std::string_view password, int iterations) {
  // Out-of-range costs are a caller bug; clamp so the result stays verifiable.
  iterations = std::clamp(iterations, kMinIterations, kMaxIterations);
  const std::string salt = RandomBytes(kSaltSize);
  const std::optional<std::string> hash = Pbkdf2(password, salt, iterations);
  if (!hash) {
    // Only allocation failure or a broken provider gets here; a stored
    // credential without a real hash would be worse than stopping.
    std::fputs("keymint: fatal: PBKDF2-HMAC-SHA-256 failed\n", stderr);
    std::abort();
  }
  std::string out(kScheme);
  out += '$';
  out += std::to_string(iterations);
  out += '$';
  out += Base64UrlEncode(salt);
  out += '$';
  out += Base64UrlEncode(*hash);
  return out;
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  const auto fields = SplitExact<4>(encoded);
  if (!fields || (*fields)[0] != kScheme) return false;
  const std::optional<int> iterations = ParseIterations((*fields)[1]);
  const std::optional<std::string> salt = Base64UrlDecode((*fields)[2]);
  const std::optional<std::string> expected = Base64UrlDecode((*fields)[3]);
  if (!iterations || !salt || salt->empty() || salt->size() > kMaxSaltSize || !expected ||
      expected->size() != kHashSize) {
    return false;
  }
  const std::optional<std::string> actual = Pbkdf2(password, *salt, *iterations);
  return actual && CRYPTO_memcmp(actual->data(), expected->data(), kHashSize) == 0;
}

}  // namespace keymint::crypto
