#include "keymint/crypto/encoding.hpp"

#include <array>
#include <cstdint>

namespace keymint::crypto {
namespace {

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

using DecodeTable = std::array<std::uint8_t, 256>;

constexpr DecodeTable MakeDecodeTable(const char (&alphabet)[65]) {
  DecodeTable table{};
  for (auto& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr DecodeTable kUrlTable = MakeDecodeTable(kUrlAlphabet);
constexpr DecodeTable kStdTable = MakeDecodeTable(kStdAlphabet);

std::string Encode(std::string_view bytes, const char (&alphabet)[65], bool pad) {
  // Sized once and written through a pointer: a token's claims and
  // signature are ~1 KiB of output, and appending a character at a time
  // costs a capacity check per character.
  const std::size_t full = bytes.size() / 3;
  const std::size_t rest = bytes.size() % 3;
  const std::size_t tail = rest == 0 ? 0 : (pad ? 4 : rest + 1);
  std::string out(full * 4 + tail, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data();
  for (std::size_t i = 0; i < full; ++i, in += 3, o += 4) {
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
  }
  if (rest != 0) {
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (rest == 2 ? std::uint32_t{in[1]} << 8 : 0);
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (rest == 2) o[2] = alphabet[(v >> 6) & 63];
    if (pad) {
      if (rest == 1) o[2] = '=';
      o[3] = '=';
    }
  }
  return out;
}

// Decodes unpadded text. Rejects characters outside `table` and non-zero
// trailing bits (RFC 4648 §3.5), so every byte string has exactly one
// accepted encoding: a token cannot be altered without changing its bytes.
std::optional<std::string> DecodeUnpadded(std::string_view text, const DecodeTable& table) {
  if (text.size() % 4 == 1) return std::nullopt;
  // Sized once and written through a pointer, as Encode writes: every
  // Basic header and bearer token is decoded on its request.
  std::string out(text.size() * 3 / 4, '\0');
  char* o = out.data();
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const std::uint8_t v = table[static_cast<unsigned char>(c)];
    if (v == kInvalid) return std::nullopt;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrlAlphabet, /*pad=*/false); }

std::optional<std::string> Base64UrlDecode(std::string_view text) { return DecodeUnpadded(text, kUrlTable); }

std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStdAlphabet, /*pad=*/true); }

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  // "x===" style padding leaves a '=' among the data, which the alphabet check rejects.
  return DecodeUnpadded(text.substr(0, text.size() - padding), kStdTable);
}

}  // namespace keymint::crypto
