// The data directory (README "Running it"): the RocksDB database in `db/` and
// `secret-hash.key`, the server key under which client secrets are hashed.
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

// The hasher of client secrets, keyed by <data_dir>/secret-hash.key (32
// random bytes, created crash-safely when missing, see
// crypto::LoadOrCreateSecretFile). When the file is missing but `store` already
// holds a client credential, fails (naming the file) instead of creating a new
// key: that would silently invalidate every stored secret, e.g. after a restore
// that brought back the database but not this file. Errors carry a message for
// a person.
Result<crypto::SecretHasher> OpenSecretHasher(const Store& store, const std::string& data_dir);

}  // namespace keymint
