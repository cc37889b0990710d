#include "load/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

namespace keymint::load {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const std::string& cacert, bool insecure) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (insecure) {
    context->set_verify_mode(ssl::verify_none);
    return context;
  }
  boost::system::error_code ec;
  if (cacert.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(cacert, ec);
  }
  if (ec) {
    ERR_clear_error();
    return Error::InvalidArgument("--cacert: cannot load " + (cacert.empty() ? "the system's CA store" : cacert) +
                                  ": " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

void PrepareTlsConnection(ssl_st* ssl, const std::string& host) {
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (not_ip) {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  }
}

}  // namespace keymint::load
