// Reading a small file that holds secret material (a signing key, the server
// key for client secrets): bounded in size, every intermediate buffer wiped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "keymint/common/result.hpp"

namespace keymint::crypto {

// The file's bytes, or nullopt when there is no such file. InvalidArgument
// naming `path` when it holds more than `max_bytes` (nothing more is read);
// Unavailable naming `path` when it cannot be read.
Result<std::optional<std::string>> ReadSecretFile(const std::string& path, std::size_t max_bytes);

}  // namespace keymint::crypto
