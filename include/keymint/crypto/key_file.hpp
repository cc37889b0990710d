// A small random secret kept in a file of its own (mode 0600), created on
// first use: the server key under which client secrets are hashed.
#pragma once

#include <cstddef>
#include <string>

#include "keymint/common/result.hpp"

namespace keymint::crypto {

// Reads `path`, which must hold exactly `size` bytes, or, when it does not
// exist, creates it with `size` random bytes (mode 0600, synced) (src/crypto/
// atomic_file.hpp): a crash while creating it leaves no file or a complete
// one, never a short one, and of several processes creating it at once one
// wins and all return its bytes. Errors name the file.
Result<std::string> LoadOrCreateSecretFile(const std::string& path, std::size_t size);

}  // namespace keymint::crypto
