// A fast keyed 64-bit hash (SipHash-2-4 from OpenSSL) under a random key drawn
// once per process, for in-memory tables whose keys an attacker chooses (the
// failure throttles): without the key, nobody can aim many keys at one slot.
// Not for anything that must survive a restart or be compared across
// processes. Thread-safe; allocates nothing after a thread's first call.
#pragma once

#include <cstdint>
#include <string_view>

namespace keymint::crypto {

// Under the process's random key.
uint64_t KeyedHash64(std::string_view data);

// SipHash-2-4 with 64-bit output under `key` (16 bytes), read as a
// little-endian integer as the SipHash paper prints its vectors.
uint64_t SipHash64(std::string_view key, std::string_view data);

}  // namespace keymint::crypto
