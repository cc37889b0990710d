#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace keymint::transport {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (forward secrecy,
// no CBC, no RSA key exchange), as Mozilla's "intermediate" profile has them.
// TLS 1.3 suites are all AEAD and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The last OpenSSL error as text, with the queue cleared for the next caller.
std::string OpenSslReason() {
  const unsigned long code = ERR_peek_last_error();
  const char* text = ERR_reason_error_string(code);
  std::string reason = text != nullptr ? text : "OpenSSL error " + std::to_string(code);
  ERR_clear_error();
  return reason;
}

bool LastErrorIsKeyMismatch() {
  const int reason = ERR_GET_REASON(ERR_peek_last_error());
  return reason == X509_R_KEY_VALUES_MISMATCH || reason == X509_R_KEY_TYPE_MISMATCH;
}

// An encrypted key would otherwise make OpenSSL prompt on the terminal, and a
// server (or a reload on SIGHUP) would hang there; refusing it is an error.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

// OpenSSL's own message for a missing file is "system lib"; say what it is.
Status CheckReadable(const std::string& what, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Error::InvalidArgument("cannot read TLS " + what + " " + path + ": " + std::strerror(errno));
  }
  std::fclose(file);
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> LoadTlsContext(const std::string& cert_file, const std::string& key_file) {
  if (Status s = CheckReadable("certificate", cert_file); !s.ok()) return std::move(s).error();
  if (Status s = CheckReadable("key", key_file); !s.ok()) return std::move(s).error();

  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  // Older versions are refused whatever the system's OpenSSL configuration
  // says; renegotiation (a CPU-cost lever for clients) and compression
  // (CRIME) are off.
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Error::Internal("cannot configure TLS: " + OpenSslReason());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_default_passwd_cb(native, NoPassphrase);

  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    return Error::InvalidArgument("cannot use TLS certificate " + cert_file + ": " + OpenSslReason());
  }
  const auto mismatch = [&] {
    ERR_clear_error();
    return Error::InvalidArgument("TLS key " + key_file + " does not match certificate " + cert_file);
  };
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (LastErrorIsKeyMismatch()) return mismatch();
    return Error::InvalidArgument("cannot use TLS key " + key_file + ": " + OpenSslReason());
  }
  // A key of another type than the certificate's is accepted above (it
  // fills another slot); only this check catches it.
  if (SSL_CTX_check_private_key(native) != 1) return mismatch();
  return context;
}

}  // namespace keymint::transport
