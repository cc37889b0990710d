#include "keymint/service/data_dir.hpp"

#include <filesystem>

#include "keymint/crypto/key_file.hpp"

namespace keymint {
namespace {

constexpr std::size_t kSecretHashKeyBytes = 32;  // 256 bits, HMAC-SHA-256's full strength

std::string SecretHashKeyPath(const std::string& dir) {
  return (std::filesystem::path(dir) / "secret-hash.key").string();
}

// Whether the store holds at least one credential of either kind.
Result<bool> HoldsCredentials(const Store& store) {
  CredentialQuery any;
  any.limit = 1;
  for (CredentialKind kind : {CredentialKind::kAccessKey, CredentialKind::kServiceAccount}) {
    any.kind = kind;
    ASSIGN_OR_RETURN(auto stored, store.ListCredentials(any));
    if (!stored.empty()) return true;
  }
  return false;
}

}  // namespace

std::string StoreDirectory(const std::string& data_dir) { return (std::filesystem::path(data_dir) / "db").string(); }

Result<crypto::SecretHasher> OpenSecretHasher(const Store& store, const std::string& dir) {
  const std::string path = SecretHashKeyPath(dir);
  // On an error (say, an unreadable directory) `exists` is false and
  // LoadOrCreateSecretFile reports it, naming the file.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    ASSIGN_OR_RETURN(bool holds_credentials, HoldsCredentials(store));
    if (holds_credentials) {
      return Error::Unavailable(path +
                                " is missing but the store holds client credentials; restore it (every client secret "
                                "is hashed under it)");
    }
  }
  ASSIGN_OR_RETURN(std::string key, crypto::LoadOrCreateSecretFile(path, kSecretHashKeyBytes));
  return crypto::SecretHasher(std::move(key));
}

Status CopySecretHashKey(const std::string& data_dir, const std::string& dir) {
  return crypto::CopySecretFile(SecretHashKeyPath(data_dir), SecretHashKeyPath(dir), kSecretHashKeyBytes);
}

}  // namespace keymint
