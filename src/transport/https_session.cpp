// The TLS session: BasicHttpSession over beast::ssl_stream, with the
// handshake in front of the first read and close_notify after the last write.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "transport/http_session.hpp"
#include "transport/http_session_impl.hpp"

namespace keymint::transport {

using TlsSession = BasicHttpSession<beast::ssl_stream<beast::tcp_stream>>;

namespace {

// OpenSSL recognises a plain HTTP request where a ClientHello should be.
bool IsPlainHttp(beast::error_code ec) {
  return ec.category() == net::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

}  // namespace

template <>
void TlsSession::Begin(bool refuse) {
  // The handshake is read under the same deadline as a request: a client
  // that connects and never handshakes holds its slot no longer.
  Lowest().expires_after(context_.options.idle_timeout);
  stream_.async_handshake(net::ssl::stream_base::server, [self = shared_from_this(), refuse](beast::error_code ec) {
    if (self->state_ == State::kClosed) return;
    if (!ec) {
      if (refuse) return self->Refuse();
      return self->DoRead();
    }
    if (self->closing_ || !IsPlainHttp(ec)) return self->Close();
    // A plain-HTTP client gets a plain-HTTP answer that says what is wrong,
    // written under the TLS layer, rather than a silent close.
    // It gets a request id and a request line like every other answer.
    api::Response response = api::ErrorResponse(400, "this port speaks HTTPS: plain HTTP was sent; use https://");
    self->PrepareAnswer(nullptr, response);
    self->response_ = ToWireResponse(std::move(response), kHttp11, false, self->request_id_);
    self->state_ = State::kWriting;
    net::async_write(self->Lowest(), self->response_.buffers(),
                     beast::bind_front_handler(&TlsSession::OnWrite, self, /*linger=*/true));
  });
}

template <>
void TlsSession::EndAfterResponse() {
  // RFC 8446 §6.1: send close_notify before closing. Bounded like a linger,
  // so a peer that never answers it cannot hold the slot; a shutdown
  // arriving meanwhile closes at once (kLingering).
  state_ = State::kLingering;
  Lowest().expires_after(std::min<std::chrono::steady_clock::duration>(context_.options.idle_timeout, kLingerTimeout));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code /*ec*/) { self->Close(); });
}

template class BasicHttpSession<beast::ssl_stream<beast::tcp_stream>>;

void StartTlsSession(tcp::socket socket, std::string remote_address, const SessionContext& context, bool refuse,
                     std::shared_ptr<net::ssl::context> tls) {
  net::ssl::context& ssl_context = *tls;
  std::make_shared<TlsSession>(std::move(remote_address), context, std::move(tls), std::move(socket), ssl_context)
      ->Start(refuse);
}

}  // namespace keymint::transport
