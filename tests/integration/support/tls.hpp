// TLS for the integration tests: certificates made at test time (never
// committed) and a small synchronous HTTPS client that can also offer what a
// server must refuse (old protocol versions, weak cipher suites).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http_client.hpp"

namespace keymint::testing {

struct TlsFiles {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key (mode 0600)
};

// Writes a fresh self-signed P-256 certificate for IP 127.0.0.1 and its key
// into `dir` as <name>.crt and <name>.key. Fails the test on any error.
TlsFiles WriteSelfSignedCertificate(const std::string& dir, const std::string& name);

// The SHA-256 fingerprint (hex) of the PEM certificate in `cert_file`.
std::string CertificateFingerprint(const std::string& cert_file);

struct TlsClientOptions {
  std::string ca_file;  // trust this certificate and verify the server (and its IP); "" = no verification
  int min_version = 0;  // e.g. TLS1_VERSION; 0 = the library's default
  int max_version = 0;  // e.g. TLS1_1_VERSION; 0 = the newest
  std::string ciphers;  // TLS 1.2-and-older cipher list; "" = the library's default
};

// One keep-alive HTTPS connection to 127.0.0.1:port, opened (TCP connect and
// handshake) by the constructor.
class TlsConnection {
 public:
  explicit TlsConnection(uint16_t port, const TlsClientOptions& options = {});
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // "" when connected, else what failed (OpenSSL's reason for a handshake).
  const std::string& error() const;
  // The negotiated protocol ("TLSv1.3") and the SHA-256 fingerprint of the
  // server's certificate; "" when not connected.
  std::string Protocol() const;
  std::string PeerFingerprint() const;

  // Sends one request on this connection (keep-alive) and reads the answer;
  // status 0 and the reason in the body on a transport error.
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const Headers& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection verified against `ca_file`.
HttpResponse SendTls(uint16_t port, const std::string& ca_file, const std::string& method, const std::string& target,
                     const std::string& body = "", const Headers& headers = {});

}  // namespace keymint::testing
