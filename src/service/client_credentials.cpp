#include "keymint/service/client_credentials.hpp"

#include "keymint/crypto/random.hpp"

namespace keymint {
namespace {
constexpr std::size_t kSecretBytes = 32;    // 256 bits
constexpr std::size_t kClientIdBytes = 18;  // 144 bits, 24 characters
}  // namespace

Result<std::string> NewClientId(const Store& store) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string client_id = crypto::RandomUrlSafe(kClientIdBytes);
    auto taken = store.FindCredentialByClientId(client_id, LastLoginField::kSkip);
    if (!taken.ok()) return taken.error();
    if (!*taken) return client_id;
  }
  return Error::Internal("could not draw an unused client ID");
}

ClientSecret NewClientSecret(const crypto::SecretHasher& hasher) {
  ClientSecret secret;
  secret.plaintext = crypto::RandomUrlSafe(kSecretBytes);
  secret.hash = hasher.Hash(secret.plaintext);
  return secret;
}

}  // namespace keymint
