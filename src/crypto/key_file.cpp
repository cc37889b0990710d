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

namespace {

// `path`'s secret of exactly `size` bytes; NotFound when there is no such file.
Result<std::string> ReadExactSecret(const std::string& path, std::size_t size) {
  ASSIGN_OR_RETURN(auto existing, ReadSecretFile(path, size));
  if (!existing) return Error::NotFound(path + " does not exist");
  if (existing->size() != size) {
    OPENSSL_cleanse(existing->data(), existing->size());
    return Error::Unavailable(path + " is corrupt: expected " + std::to_string(size) + " bytes");
  }
  return std::move(*existing);
}

}  // namespace

Status CopySecretFile(const std::string& from, const std::string& to, std::size_t size) {
  ASSIGN_OR_RETURN(std::string secret, ReadExactSecret(from, size));
  Result<NewFile> created = CreateFileAtomically(to, secret);
  if (!created) {
    OPENSSL_cleanse(secret.data(), secret.size());
    return std::move(created).error();
  }
  if (*created == NewFile::kCreated) {
    OPENSSL_cleanse(secret.data(), secret.size());
    return Status::Ok();
  }
  Result<std::string> there = ReadExactSecret(to, size);
  const bool same = there.ok() && CRYPTO_memcmp(there->data(), secret.data(), size) == 0;
  OPENSSL_cleanse(secret.data(), secret.size());
  if (there.ok()) OPENSSL_cleanse(there->data(), there->size());
  if (!there.ok()) return std::move(there).error();
  if (!same) return Error::AlreadyExists(to + " holds another secret than " + from + "; it was left as it is");
  return Status::Ok();
}

}  // namespace keymint::crypto
