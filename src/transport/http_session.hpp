// One HTTP/1.1 connection: reads requests one at a time, hands each to the
// router, runs kPool work on the blocking pool, and writes the response.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
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

// Lives exactly as long as some operation on it is outstanding: every
// completion handler holds a shared_ptr. All members are touched only on the
// connection's strand (the stream's executor), so no mutex is needed.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // Keeps a reference to `context`, which must outlive the session.
  // `socket` must use a strand of the server's io_context as its executor (or
  // the io_context's own executor when a single thread runs it);
  // `remote_address` is its peer's IP address as text (PeerAddress).
  HttpSession(boost::asio::ip::tcp::socket socket, std::string remote_address, const SessionContext& context);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Registers with the registry and starts reading. Call once.
  void Start();
  // Registers with the registry, answers 503 (too many connections) and
  // closes. Call once, instead of Start().
  void StartRefusing();
  // Thread-safe. Closes the connection at once if it is waiting for a
  // request; otherwise the request in flight is answered with
  // `Connection: close` and the connection closed after the write.
  void Shutdown();

 private:
  enum class State { kReading, kHandling, kWriting, kLingering, kClosed };

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
  void Close();

  boost::beast::tcp_stream stream_;
  const SessionContext& context_;
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
};

}  // namespace keymint::transport
