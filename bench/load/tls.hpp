// TLS for keymint-bench: the client context of an https:// URL and the
// per-connection settings (SNI, the name the certificate must carry).
#pragma once

#include <memory>
#include <string>

#include "keymint/common/result.hpp"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;

namespace keymint::load {

// A client context for TLS 1.2 and 1.3 that verifies the server against
// `cacert` (a PEM file), or the system's trust store when it is "", or not
// at all when `insecure`. Fails naming the file that cannot be loaded.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const std::string& cacert, bool insecure);

// On a new connection's SSL object: SNI for a host name, and the host name or
// IP address the server's certificate must match (when verifying).
void PrepareTlsConnection(ssl_st* ssl, const std::string& host);

}  // namespace keymint::load
