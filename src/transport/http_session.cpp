// The plain-TCP session: BasicHttpSession over beast::tcp_stream.
#include "transport/http_session.hpp"

#include <string>
#include <utility>

#include "transport/http_session_impl.hpp"

namespace keymint::transport {

using PlainSession = BasicHttpSession<beast::tcp_stream>;

std::string PeerAddress(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return {};
  const net::ip::address address = peer.address();
  // An IPv4 client of a dual-stack socket is one address, however it arrived.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

template <>
void PlainSession::Begin(bool refuse) {
  if (refuse) return Refuse();
  DoRead();
}

template <>
void PlainSession::EndAfterResponse() {
  Close();
}

template class BasicHttpSession<beast::tcp_stream>;

void StartPlainSession(tcp::socket socket, std::string remote_address, const SessionContext& context, bool refuse) {
  std::make_shared<PlainSession>(std::move(remote_address), context, nullptr, std::move(socket))->Start(refuse);
}

}  // namespace keymint::transport
