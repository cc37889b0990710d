#include "keymint/crypto/key_file.hpp"

#include <openssl/crypto.h>

#include <optional>

#include "crypto/atomic_file.hpp"
#include "crypto/secret_file.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint::crypto {

Result<std::string> LoadOrCreateSecretFile(const std::string& path, std::size_t size) {
  // Two rounds at most: when another process creates the file between our
  // read and our create, the second read finds its complete file.
  for (int round = 0; round < 2; ++round) {
    Result<std::optional<std::string>> existing = ReadSecretFile(path, size);
    if (!existing && existing.error().code == ErrorCode::kInvalidArgument) {
      return Error::Unavailable(path + " is corrupt: expected " + std::to_string(size) + " bytes, found more");
    }
    if (!existing) return std::move(existing).error();
    if (std::optional<std::string>& secret = *existing) {
      if (secret->size() == size) return std::move(*secret);
      const std::size_t found = secret->size();
      OPENSSL_cleanse(secret->data(), secret->size());
      return Error::Unavailable(path + " is corrupt: expected " + std::to_string(size) + " bytes, found " +
                                std::to_string(found));
    }
    std::string secret = RandomBytes(size);
    Result<NewFile> created = CreateFileAtomically(path, secret);
    if (!created) return std::move(created).error();
    if (*created == NewFile::kCreated) return secret;
    OPENSSL_cleanse(secret.data(), secret.size());
  }
  return Error::Unavailable("cannot load " + path + ": another process created and removed it meanwhile");
}

}  // namespace keymint::crypto
