#include "crypto/private_key_pem.hpp"

#include <openssl/pem.h>

namespace keymint::crypto::internal {
namespace {

constexpr std::size_t kMaxPemSize = std::size_t{64} * 1024;

// Never prompt on a terminal for an encrypted PEM: refuse it instead.
int RefusePassphrase(char*, int, int, void*) { return -1; }

}  // namespace

Result<PkeyPtr> ReadPrivateKeyPem(std::string_view pem) {
  if (pem.size() > kMaxPemSize) return Error::InvalidArgument("PEM key file too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("cannot read PEM");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (!pkey) return OpenSslError("not an unencrypted PEM private key", ErrorCode::kInvalidArgument);
  return pkey;
}

std::string WritePrivateKeyPem(const EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace keymint::crypto::internal
