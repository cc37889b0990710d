// The data directory (README "Running it"): the RocksDB database in `db/` and
// `secret-hash.key`, the server key under which client secrets are hashed
// (with a shared store, that key is in the keys directory instead).
// `keymint serve` and the bench seeder (bench/seed.cpp) both open it through
// these two functions, so that a directory one writes the other reads.
// Thread-safe (no shared state).
#pragma once

#include <string>

#include "keymint/common/result.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// Where the store lives in `data_dir` (<data_dir>/db): pass it to OpenRocksDbStore.
std::string StoreDirectory(const std::string& data_dir);

// The hasher of client secrets, keyed by <dir>/secret-hash.key (32 random
// bytes, created crash-safely when missing, see crypto::LoadOrCreateSecretFile).
// `dir` is the data directory, or with a shared store the keys directory that
// every replica mounts (replicas starting at once create one key between
// them). When the file is missing but `store` already holds a client
// credential, fails (naming the file) instead of creating a new key: that
// would silently invalidate every stored secret, e.g. after a restore that
// brought back the database but not this file. Errors carry a message for a
// person.
Result<crypto::SecretHasher> OpenSecretHasher(const Store& store, const std::string& dir);

// Copies <data_dir>/secret-hash.key to <dir>/secret-hash.key (keymint migrate:
// from the embedded store's data directory to the replicas' keys directory).
// OK when <dir> already holds the same key; AlreadyExists when it holds
// another (left as it is); NotFound when the data directory has none.
Status CopySecretHashKey(const std::string& data_dir, const std::string& dir);

}  // namespace keymint
