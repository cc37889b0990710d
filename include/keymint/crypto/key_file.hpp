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

// Copies the secret file `from` (exactly `size` bytes) to `to`, created as
// LoadOrCreateSecretFile creates one. When `to` exists already it must hold
// the same bytes: OK then, AlreadyExists (naming both) when it holds another
// secret, which is left as it is. NotFound when `from` does not exist;
// Unavailable when a file is corrupt or cannot be read or written.
Status CopySecretFile(const std::string& from, const std::string& to, std::size_t size);

}  // namespace keymint::crypto
