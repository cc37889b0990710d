#include "transport/request_id.hpp"

#include <cstdint>
#include <random>

namespace keymint::transport {
namespace {

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '-';
}

// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, and good
// statistics; seeded from std::random_device once per thread.
class IdGenerator {
 public:
  IdGenerator() {
    std::random_device device;
    for (auto& word : state_) word = (uint64_t{device()} << 32) | device();
  }

  uint64_t Next() {
    const uint64_t result = Rotate(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotate(state_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotate(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (const char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

void NewRequestId(std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local IdGenerator generator;
  out.resize(32);
  for (std::size_t half = 0; half < 2; ++half) {
    uint64_t bits = generator.Next();
    for (std::size_t i = 0; i < 16; ++i) {
      out[half * 16 + i] = kHex[bits & 0xF];
      bits >>= 4;
    }
  }
}

}  // namespace keymint::transport
