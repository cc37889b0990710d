// The key ring's state file, `signing-keys.json` in the keys directory: the
// state and times of every key (key_states.hpp), public data only. Every
// replica that mounts the directory reads it; whoever changes a state
// rewrites it whole, atomically, under the directory's write lock
// (key_ring_directory.hpp), so it is the one record all replicas agree on.
//
// Format: {"keys":[{"file","kid","alg","state","createdAt","activateAt",
// "retiredAt"}]}, times in Unix ms, entries in file-name order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/key_states.hpp"

namespace keymint::crypto {

// The file's name in the keys directory (a *.json, so never loaded as a key).
inline constexpr const char* kKeyStateFileName = "signing-keys.json";

std::string EncodeKeyStates(const std::vector<KeyEntry>& entries);

// Unavailable naming `path` when `text` is not a state file.
Result<std::vector<KeyEntry>> DecodeKeyStates(const std::string& path, const std::string& text);

// The recorded entries; nullopt when there is no such file (nothing recorded
// yet, or a read-only mount that never had one). Unavailable naming `path`
// when it cannot be read or is corrupt.
Result<std::optional<std::vector<KeyEntry>>> ReadKeyStates(const std::string& path);

// Replaces `path` with `entries`, crash safe (atomic_file.hpp). One writer at
// a time: hold the directory's write lock.
Status WriteKeyStates(const std::string& path, const std::vector<KeyEntry>& entries);

}  // namespace keymint::crypto
