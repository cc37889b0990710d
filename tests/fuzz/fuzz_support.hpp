// Helpers shared by the libFuzzer targets in tests/fuzz/: a check that stops
// the fuzzer (so the input is saved as a crash), scratch directories, an
// independent form-urlencoder for round trips, JSON output checks, and the
// fixed RS256 key whose tokens the checked-in seed corpora carry.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/rsa_key.hpp"

namespace keymint::fuzz {

// Prints what failed and aborts: libFuzzer treats the abort as a crash and
// writes the input that caused it.
[[noreturn]] inline void Fail(const char* condition, const char* file, int line, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz check failed: %s\n  at %s:%d\n", condition, file, line);
  if (!detail.empty()) {
    std::fputs("  ", stderr);
    std::fwrite(detail.data(), 1, detail.size(), stderr);  // may hold NULs
    std::fputs("\n", stderr);
  }
  std::abort();
}

}  // namespace keymint::fuzz

// FUZZ_CHECK(condition) or FUZZ_CHECK(condition, detail): detail is anything
// convertible to std::string_view, evaluated only on failure.
#define FUZZ_CHECK(condition, ...)                                                                      \
  do {                                                                                                  \
    if (!(condition)) ::keymint::fuzz::Fail(#condition, __FILE__, __LINE__ __VA_OPT__(, ) __VA_ARGS__); \
  } while (false)

namespace keymint::fuzz {

// A directory made with mkdtemp and removed with its contents when this goes
// out of scope. Made under $KEYMINT_FUZZ_SCRATCH when set (the scripts point
// it at a directory they remove afterwards, which also sweeps up after a
// crashed process), else /dev/shm when usable (RocksDB's synced writes cost
// nothing there), else $TMPDIR or /tmp. Fails hard: a fuzzer cannot run without it.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view tag) {
    std::string pattern = Base() + "/keymint-fuzz-" + std::string(tag) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp", __FILE__, __LINE__, pattern);
    path_ = pattern;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  static std::string Base() {
    const char* scratch = std::getenv("KEYMINT_FUZZ_SCRATCH");
    if (scratch != nullptr && *scratch != '\0') return scratch;
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
    const char* tmp = std::getenv("TMPDIR");
    return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }

  std::string path_;
};

inline void WriteFile(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) Fail("writing a file", __FILE__, __LINE__, path);
}

// Percent-encodes every byte but the RFC 3986 unreserved characters (and a
// space as '+' when `space_as_plus`). Written independently of the product's
// decoder, so a round trip through both checks it.
inline std::string FormEncode(std::string_view text, bool space_as_plus = false) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || byte == '-' ||
        byte == '.' || byte == '_' || byte == '~') {
      out += c;
    } else if (byte == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

// Pieces of `data` between `separator` bytes (n separators give n + 1 pieces).
inline std::vector<std::string_view> Split(std::string_view data, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find(separator, start);
    pieces.push_back(data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return pieces;
    start = end + 1;
  }
}

inline bool AllNumbersFinite(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(value.get_double());
    case boost::json::kind::array:
      for (const auto& item : value.get_array()) {
        if (!AllNumbersFinite(item)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        if (!AllNumbersFinite(member.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

// `text` is what keymint sent as a JSON body: strict JSON (Boost.JSON's
// parser accepts no Infinity or NaN) whose numbers are all finite (the same
// parser reads an out-of-range 1e999 as infinity). Returns the value.
inline boost::json::value CheckJsonText(std::string_view text) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  FUZZ_CHECK(!ec, std::string("response body is not JSON: ") + std::string(text));
  FUZZ_CHECK(AllNumbersFinite(value), std::string(text));
  return value;
}

// The RSA key of RFC 7515 Appendix A.2.1 (public, well known): the checked-in
// JWT seeds are signed with it, so they verify in every fuzzer process.
inline const crypto::RsaKey& FixedKey() {
  static const crypto::RsaKey key = [] {
    auto made = crypto::RsaKey::FromJwk(
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
        "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-"
        "KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
        "DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
        "AQAB",
        "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-"
        "pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_"
        "0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_"
        "RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
        "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_"
        "Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
        "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_"
        "HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
        "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-"
        "FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
        "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-"
        "NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
        "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_"
        "QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U");
    if (!made.ok()) Fail("RsaKey::FromJwk", __FILE__, __LINE__, made.error().message);
    return std::move(made).value();
  }();
  return key;
}

// Opens a key ring in `dir` holding FixedKey() as "a-fixed.pem" plus, when
// `with_generated`, a freshly generated key that sorts after it (the active one).
inline crypto::KeyRing OpenKeyRing(const std::string& dir, bool with_generated) {
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/a-fixed.pem", FixedKey().PrivatePem());
  if (with_generated) {
    auto generated = crypto::RsaKey::Generate(2048);
    if (!generated.ok()) Fail("RsaKey::Generate", __FILE__, __LINE__, generated.error().message);
    WriteFile(dir + "/b-generated.pem", generated->PrivatePem());
  }
  auto ring = crypto::KeyRing::Open(dir);
  if (!ring.ok()) Fail("KeyRing::Open", __FILE__, __LINE__, ring.error().message);
  return std::move(ring).value();
}

}  // namespace keymint::fuzz
