// One HTTP/1.1 connection: reads requests one at a time, hands each to the
// router, runs kPool work on the blocking pool, and writes the response.
// The same session serves plain TCP and TLS: BasicHttpSession is a template
// over the stream, so the plain path pays nothing for TLS (no virtual call,
// no branch per request). The member definitions live in
// http_session_impl.hpp; http_session.cpp instantiates the plain session and
// https_session.cpp the TLS one, each in its own translation unit.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "keymint/api/http.hpp"
#include "keymint/api/router.hpp"
#include "keymint/transport/server.hpp"
#include "transport/session_registry.hpp"
#include "transport/wire.hpp"

namespace boost::asio::ssl {
class context;
}

namespace keymint::transport {

// The peer's IP address as text ("" when the socket has none); an IPv4 peer
// of a dual-stack socket as plain IPv4.
std::string PeerAddress(const boost::asio::ip::tcp::socket& socket);

// Everything a session borrows from the server. The server keeps all of it
// alive until every session is gone.
struct SessionContext {
  const api::Router& router;
  const ServerOptions& options;
  boost::asio::thread_pool::executor_type pool;
  SessionRegistry& registry;
};

// What the registry holds of a session, whatever its stream.
class HttpSession {
 public:
  HttpSession() = default;
  virtual ~HttpSession() = default;
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Thread-safe. Closes the connection at once if it is waiting for a
  // request; otherwise the request in flight is answered with
  // `Connection: close` and the connection closed after the write.
  virtual void Shutdown() = 0;
};

// Starts serving `socket` (plain HTTP). With `refuse`, answers 503 (too many
// connections) and closes instead. `socket` must use a strand of the
// server's io_context as its executor (or the io_context's own executor when
// a single thread runs it); `remote_address` is its peer's IP address as text
// (PeerAddress). Keeps a reference to `context`, which must outlive the session.
void StartPlainSession(boost::asio::ip::tcp::socket socket, std::string remote_address, const SessionContext& context,
                       bool refuse);
// The same over TLS: the handshake comes first, under the same deadline as a
// request, then everything as above inside the TLS stream. The session keeps
// `tls` alive; a reload swaps the server's context for new connections only.
void StartTlsSession(boost::asio::ip::tcp::socket socket, std::string remote_address, const SessionContext& context,
                     bool refuse, std::shared_ptr<boost::asio::ssl::context> tls);

// Lives exactly as long as some operation on it is outstanding: every
// completion handler holds a shared_ptr. All members are touched only on the
// connection's strand (the stream's executor), so no mutex is needed.
// `Stream` is boost::beast::tcp_stream or an ssl_stream over one.
template <class Stream>
class BasicHttpSession final : public HttpSession, public std::enable_shared_from_this<BasicHttpSession<Stream>> {
 public:
  // `owner` keeps alive what the stream borrows (the TLS context); the
  // stream is built from `stream_args`.
  template <class... StreamArgs>
  BasicHttpSession(std::string remote_address, const SessionContext& context, std::shared_ptr<void> owner,
                   StreamArgs&&... stream_args);
  ~BasicHttpSession() override;

  // Registers with the registry and starts (Begin) on the connection's
  // strand. Call once.
  void Start(bool refuse);
  void Shutdown() override;

 private:
  enum class State { kReading, kHandling, kWriting, kLingering, kClosed };

  // Specialised per stream: the plain session reads at once, the TLS one
  // handshakes first.
  void Begin(bool refuse);
  // Specialised per stream: ends a connection after its last response (TLS
  // sends close_notify first).
  void EndAfterResponse();
  void Refuse();
  void DoRead();
  void OnHeader(boost::beast::error_code ec, std::size_t bytes);
  void OnContinueSent(boost::beast::error_code ec, std::size_t bytes);
  void ReadBody();
  void OnRead(boost::beast::error_code ec, std::size_t bytes);
  void OnReadError(boost::beast::error_code ec);
  void Handle();
  void RunDeferred(std::function<api::Response()> work);
  void OnDeferredDone(api::Response response, bool failed);
  void SendResponse(api::Response response, bool close_after);
  // Answers a request that could not be read whole (4xx) and closes after.
  void SendError(api::Response response);
  void OnWrite(bool linger, boost::beast::error_code ec, std::size_t bytes);
  void OnShutdown();
  void StartLinger();
  void DoLingerRead();
  void OnLingerRead(boost::beast::error_code ec, std::size_t bytes);
  // Picks the response's X-Request-Id (the client's when valid, else a new
  // one) and notes what the request log needs; `header` holds the fields
  // read so far, and is null when no request was started.
  void PrepareAnswer(const boost::beast::http::request_header<>* header, const api::Response& response);
  // Writes the request's log line (if request lines are on).
  void LogRequest();
  void Close();
  boost::beast::tcp_stream& Lowest();

  const SessionContext& context_;
  // Declared before stream_, so that it outlives it.
  std::shared_ptr<void> owner_;
  Stream stream_;
  // The peer's IP address as text, taken once per connection.
  std::string remote_address_;
  // Capped (ReadBufferLimit): a header block, a chunk-size line or a trailer
  // section that does not fit is refused rather than buffered.
  boost::beast::flat_buffer buffer_;
  // A fresh parser per request: Beast parsers cannot be reused, and the
  // limits apply per message.
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  // A chunked request's header as read, put back after the body so that no
  // trailer field survives (DropTrailerFields).
  std::optional<boost::beast::http::request_header<>> chunked_header_;
  // The request being handled and the router's view of it. Neither changes
  // until its response has been written, so a deferred handler may keep
  // referring to them from the pool.
  WireRequest request_;
  api::Request api_request_;
  WireResponse response_;
  State state_ = State::kReading;
  bool closing_ = false;  // shutdown was requested: answer what's in flight, then close
  std::size_t lingered_bytes_ = 0;
  // The request log's view of the exchange in flight; the strings keep their
  // capacity from request to request, so the token path does not allocate
  // for them. log_header_ points into request_ or parser_, both alive until
  // the next DoRead.
  std::string request_id_;
  std::string log_client_id_;
  std::string log_line_;
  const boost::beast::http::request_header<>* log_header_ = nullptr;
  std::chrono::steady_clock::time_point started_{};
  int log_status_ = 0;
  bool log_pending_ = false;
};

}  // namespace keymint::transport
