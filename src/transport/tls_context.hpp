// The server's TLS configuration: a certificate chain and its private key
// loaded into an OpenSSL context that allows TLS 1.2 and 1.3 only.
#pragma once

#include <memory>
#include <string>

#include "keymint/common/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace keymint::transport {

// Reads `cert_file` (PEM: the certificate, then any intermediates) and
// `key_file` (PEM private key, unencrypted) into a new server context. Fails
// with one line naming the file that cannot be read or parsed, or both files
// when the key does not belong to the certificate. Blocking file I/O: call at
// start-up or from a reload, not per connection.
Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

}  // namespace keymint::transport
