#include "tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

namespace keymint::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(30);

template <auto kFree>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

std::string Hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string Fingerprint(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), digest, &size) != 1) return "";
  return Hex(digest, size);
}

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

HttpResponse Failure(const std::string& what, const beast::error_code& ec) {
  HttpResponse response;
  response.body = "transport error during " + what + ": " + ec.message();
  return response;
}

}  // namespace

TlsFiles WriteSelfSignedCertificate(const std::string& dir, const std::string& name) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  REQUIRE(key != nullptr);
  X509Ptr cert(X509_new());
  REQUIRE(cert != nullptr);
  unsigned char serial[8];
  REQUIRE(RAND_bytes(serial, sizeof serial) == 1);
  serial[0] &= 0x7f;  // a positive serial number
  uint64_t serial_value = 0;
  for (unsigned char byte : serial) serial_value = (serial_value << 8) | byte;
  REQUIRE(X509_set_version(cert.get(), X509_VERSION_3) == 1);
  REQUIRE(ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial_value) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr);
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr);
  REQUIRE(X509_set_pubkey(cert.get(), key.get()) == 1);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string common_name = "keymint test " + name;
  REQUIRE(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(cert.get(), subject) == 1);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  ExtPtr san(X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1"));
  REQUIRE(san != nullptr);
  REQUIRE(X509_add_ext(cert.get(), san.get(), -1) == 1);
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);

  TlsFiles files{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  {
    FilePtr out(std::fopen(files.cert.c_str(), "wb"));
    REQUIRE(out != nullptr);
    REQUIRE(PEM_write_X509(out.get(), cert.get()) == 1);
  }
  {
    FilePtr out(std::fopen(files.key.c_str(), "wb"));
    REQUIRE(out != nullptr);
    ::chmod(files.key.c_str(), 0600);
    REQUIRE(PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  }
  return files;
}

std::string CertificateFingerprint(const std::string& cert_file) {
  FilePtr in(std::fopen(cert_file.c_str(), "rb"));
  REQUIRE(in != nullptr);
  X509Ptr cert(PEM_read_X509(in.get(), nullptr, nullptr, nullptr));
  REQUIRE(cert != nullptr);
  return Fingerprint(cert.get());
}

struct TlsConnection::Impl {
  asio::io_context ioc;
  ssl::context context{ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  uint16_t port = 0;
  std::string error;
};

TlsConnection::TlsConnection(uint16_t port, const TlsClientOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  SSL_CTX* native = impl_->context.native_handle();
  // The system's OpenSSL configuration may forbid what a test wants to
  // offer; these calls come after it and win.
  SSL_CTX_set_min_proto_version(native, options.min_version);
  SSL_CTX_set_max_proto_version(native, options.max_version);
  if (!options.ciphers.empty()) REQUIRE(SSL_CTX_set_cipher_list(native, options.ciphers.c_str()) == 1);
  if (!options.ca_file.empty()) {
    impl_->context.load_verify_file(options.ca_file);
    impl_->context.set_verify_mode(ssl::verify_peer);
  } else {
    impl_->context.set_verify_mode(ssl::verify_none);
  }
  impl_->stream.emplace(impl_->ioc, impl_->context);
  if (!options.ca_file.empty()) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(impl_->stream->native_handle()), "127.0.0.1");
  }
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(*impl_->stream);
  tcp_layer.expires_after(kTimeout);
  beast::error_code ec;
  tcp_layer.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port), ec);
  if (ec) {
    impl_->error = "connect: " + ec.message();
    return;
  }
  ERR_clear_error();
  impl_->stream->handshake(ssl::stream_base::client, ec);
  if (ec) impl_->error = "handshake: " + ec.message();
}

TlsConnection::~TlsConnection() {
  beast::error_code ignored;
  beast::get_lowest_layer(*impl_->stream).socket().close(ignored);
}

const std::string& TlsConnection::error() const { return impl_->error; }

std::string TlsConnection::Protocol() const {
  if (!impl_->error.empty()) return "";
  return SSL_get_version(impl_->stream->native_handle());
}

std::string TlsConnection::PeerFingerprint() const {
  if (!impl_->error.empty()) return "";
  return Fingerprint(SSL_get0_peer_certificate(impl_->stream->native_handle()));
}

HttpResponse TlsConnection::Send(const std::string& method, const std::string& target, const std::string& body,
                                 const Headers& headers) {
  if (!impl_->error.empty()) {
    HttpResponse response;
    response.body = impl_->error;
    return response;
  }
  http::request<http::string_body> request;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  request.set(http::field::user_agent, "keymint-integration-tests");
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();

  beast::get_lowest_layer(*impl_->stream).expires_after(kTimeout);
  beast::error_code ec;
  http::write(*impl_->stream, request, ec);
  if (ec) return Failure("write", ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64ull * 1024 * 1024);
  http::read(*impl_->stream, impl_->buffer, parser, ec);
  if (ec) return Failure("read", ec);

  http::response<http::string_body> message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    auto [it, inserted] =
        response.headers.emplace(Lowercase(std::string(field.name_string())), std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  response.body = std::move(message.body());
  return response;
}

HttpResponse SendTls(uint16_t port, const std::string& ca_file, const std::string& method, const std::string& target,
                     const std::string& body, const Headers& headers) {
  TlsClientOptions options;
  options.ca_file = ca_file;
  TlsConnection connection(port, options);
  return connection.Send(method, target, body, headers);
}

}  // namespace keymint::testing
