#include "keymint/service/client_credentials.hpp"

#include "keymint/crypto/client_secret.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint {
namespace {
constexpr std::size_t kClientIdBytes = 18;  // 144 bits, 24 characters
}  // namespace

Result<std::string> NewClientId(StoreTransaction& tx) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string client_id = crypto::RandomUrlSafe(kClientIdBytes);
    ASSIGN_OR_RETURN(auto taken, tx.FindCredentialByClientId(client_id, LastLoginField::kSkip));
    if (!taken) return client_id;
  }
  return Error::Internal("could not draw an unused client ID");
}

Result<IssuedCredential> NewCredential(StoreTransaction& tx, const crypto::SecretHasher& hasher, CredentialKind kind,
                                       std::string_view name, std::string_view owner_id, std::string_view created_by,
                                       int64_t now_ms) {
  ASSIGN_OR_RETURN(std::string client_id, NewClientId(tx));
  IssuedCredential issued;
  issued.secret = crypto::NewClientSecret();
  CredentialRecord& c = issued.record;
  c.id = crypto::NewUuidV4();
  c.kind = kind;
  c.name = std::string(name);
  c.client_id = std::move(client_id);
  c.secret_hash = hasher.Hash(issued.secret);
  c.owner_id = std::string(owner_id);
  c.created_by = std::string(created_by);
  c.created_at_ms = c.updated_at_ms = now_ms;
  c.enabled = true;
  return issued;
}

void EndCredentialSessions(CredentialRecord& record) { ++record.generation; }

std::string ReplaceSecret(CredentialRecord& record, const crypto::SecretHasher& hasher) {
  std::string secret = crypto::NewClientSecret();
  record.secret_hash = hasher.Hash(secret);
  EndCredentialSessions(record);
  return secret;
}

}  // namespace keymint
