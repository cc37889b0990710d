// The member definitions of BasicHttpSession, included only by the two
// translation units that instantiate it (http_session.cpp: plain TCP;
// https_session.cpp: TLS), so the async Beast code is compiled once per stream.
#pragma once

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "keymint/api/http_error.hpp"
#include "keymint/common/log.hpp"
#include "transport/http_session.hpp"
#include "transport/request_framing.hpp"
#include "transport/request_id.hpp"
#include "transport/request_log.hpp"

namespace keymint::transport {

// Only the two session translation units include this file, so these names
// stay out of every other one.
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// After an error response we stop sending but keep reading (and discarding)
// for a short while before closing. Closing a socket with unread input makes
// the kernel send RST, and a client still busy uploading a too-large body
// would then lose the 413 we just wrote. Also the budget for a TLS
// close_notify exchange.
inline constexpr std::chrono::seconds kLingerTimeout{2};
inline constexpr std::size_t kLingerMaxBytes = std::size_t{1024} * 1024;
inline constexpr std::size_t kLingerChunk = std::size_t{16} * 1024;

inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

inline bool IsParseError(beast::error_code ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

template <class Stream>
template <class... StreamArgs>
BasicHttpSession<Stream>::BasicHttpSession(std::string remote_address, const SessionContext& context,
                                           std::shared_ptr<void> owner, StreamArgs&&... stream_args)
    : context_(context),
      owner_(std::move(owner)),
      stream_(std::forward<StreamArgs>(stream_args)...),
      remote_address_(std::move(remote_address)),
      buffer_(ReadBufferLimit(context.options)) {}

template <class Stream>
BasicHttpSession<Stream>::~BasicHttpSession() {
  context_.registry.Remove(this);
}

template <class Stream>
void BasicHttpSession<Stream>::Start(bool refuse) {
  context_.registry.Add(this->shared_from_this(), remote_address_);
  // The accept handler does not run on this connection's strand; start there.
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&BasicHttpSession::Begin, this->shared_from_this(), refuse));
}

template <class Stream>
void BasicHttpSession<Stream>::Refuse() {
  api::Response response = api::ErrorResponse(503, "too many connections; retry shortly");
  response.AddHeader("Retry-After", "1");
  SendError(std::move(response));
}

template <class Stream>
void BasicHttpSession<Stream>::Shutdown() {
  net::post(stream_.get_executor(), beast::bind_front_handler(&BasicHttpSession::OnShutdown, this->shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::OnShutdown() {
  closing_ = true;
  // Nothing is owed to a connection that is between requests (or one we are
  // only lingering on); a request in flight is finished by OnWrite.
  if (state_ == State::kReading || state_ == State::kLingering) Close();
}

template <class Stream>
void BasicHttpSession<Stream>::DoRead() {
  if (closing_ || state_ == State::kClosed) return Close();
  state_ = State::kReading;
  // Drop the previous exchange; nothing refers to it any more.
  request_ = {};
  api_request_ = {};
  response_ = {};
  parser_.emplace();
  chunked_header_.reset();
  log_header_ = nullptr;
  started_ = {};
  ConfigureParser(*parser_, context_.options);
  // One deadline for the whole request, header and body: a client that
  // trickles bytes cannot hold the connection longer than this.
  Lowest().expires_after(context_.options.idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&BasicHttpSession::OnHeader, this->shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::OnHeader(beast::error_code ec, std::size_t /*bytes*/) {
  if (state_ == State::kClosed) return;
  if (ec) return OnReadError(ec);
  // From the whole header: the time a client takes to send its body counts,
  // the idle time between keep-alive requests does not.
  started_ = std::chrono::steady_clock::now();
  const RequestHeader& header = parser_->get();
  if (auto problem = FramingProblem(header)) return SendError(api::ErrorResponse(400, std::string(*problem)));
  if (parser_->is_done()) return Handle();
  if (parser_->chunked()) chunked_header_.emplace(header);
  if (ExpectsContinue(header)) {
    // curl and others wait up to a second for this before sending a body.
    return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                            beast::bind_front_handler(&BasicHttpSession::OnContinueSent, this->shared_from_this()));
  }
  ReadBody();
}

template <class Stream>
void BasicHttpSession<Stream>::OnContinueSent(beast::error_code ec, std::size_t /*bytes*/) {
  if (state_ == State::kClosed) return;
  if (ec) return Close();
  ReadBody();
}

template <class Stream>
void BasicHttpSession<Stream>::ReadBody() {
  // A small body nearly always arrives in the same segment as its header:
  // parse what is already buffered here, and go back to the socket only for
  // the rest. An async_read that finds everything buffered still completes
  // through a posted handler, a scheduler round trip on every token request.
  // The parser enforces the same limits either way.
  parser_->eager(true);
  beast::error_code ec;
  while (!parser_->is_done() && buffer_.size() != 0) {
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return OnRead({}, 0);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&BasicHttpSession::OnRead, this->shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::OnRead(beast::error_code ec, std::size_t /*bytes*/) {
  // Shutdown may have closed the socket after this completion was queued.
  if (state_ == State::kClosed) return;
  if (ec) return OnReadError(ec);
  if (chunked_header_) {
    DropTrailerFields(parser_->get(), std::move(*chunked_header_));
    chunked_header_.reset();
  }
  Handle();
}

template <class Stream>
void BasicHttpSession<Stream>::OnReadError(beast::error_code ec) {
  if (closing_) return Close();
  if (ec == http::error::body_limit) {
    // The header was read, so the answer can carry what its path always does.
    api::Response response = api::ErrorResponse(
        413, "request body exceeds the limit of " + std::to_string(context_.options.body_limit) + " bytes");
    const auto target = parser_->get().target();
    context_.router.AddPathHeaders(std::string_view(target.data(), target.size()), response);
    return SendError(std::move(response));
  }
  if (ec == http::error::header_limit) return SendError(api::ErrorResponse(431, "request header fields are too large"));
  if (ec == http::error::buffer_overflow) {
    // Only a chunk-size line or a trailer section can outgrow the buffer:
    // the header limit is smaller than it.
    return SendError(api::ErrorResponse(
        400, "chunked framing exceeds the limit of " + std::to_string(ReadBufferLimit(context_.options)) + " bytes"));
  }
  // end_of_stream and partial_message mean the peer went away; there is no
  // one left to read an answer.
  if (IsParseError(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return SendError(api::ErrorResponse(400, "malformed HTTP request"));
  }
  Close();  // timeout, reset, or the peer closed between requests
}

template <class Stream>
void BasicHttpSession<Stream>::Handle() {
  request_ = parser_->release();
  api_request_ = ToApiRequest(request_, remote_address_);
  state_ = State::kHandling;
  api::Outcome outcome;
  try {
    outcome = context_.router.Dispatch(api_request_);
  } catch (...) {
    // A handler bug must not take the server down; the connection's state
    // is unknown, so it is closed after the answer.
    return SendResponse(api::ErrorResponse(500, "internal server error"), /*close_after=*/true);
  }
  if (outcome.ready) return SendResponse(std::move(*outcome.ready), /*close_after=*/false);
  if (outcome.deferred) return RunDeferred(std::move(outcome.deferred));
  SendResponse(api::ErrorResponse(500, "internal server error"), /*close_after=*/true);
}

template <class Stream>
void BasicHttpSession<Stream>::RunDeferred(std::function<api::Response()> work) {
  // The strand is copied here, on the strand, rather than read from the pool
  // thread. `self` keeps request_ (which `work` may refer to) alive.
  net::post(context_.pool,
            [self = this->shared_from_this(), strand = stream_.get_executor(), work = std::move(work)]() mutable {
              api::Response response;
              bool failed = false;
              try {
                response = work();
              } catch (...) {
                failed = true;
              }
              net::post(strand, [self = std::move(self), response = std::move(response), failed]() mutable {
                self->OnDeferredDone(std::move(response), failed);
              });
            });
}

template <class Stream>
void BasicHttpSession<Stream>::OnDeferredDone(api::Response response, bool failed) {
  if (state_ == State::kClosed) return;
  if (failed) return SendResponse(api::ErrorResponse(500, "internal server error"), /*close_after=*/true);
  SendResponse(std::move(response), /*close_after=*/false);
}

template <class Stream>
void BasicHttpSession<Stream>::SendResponse(api::Response response, bool close_after) {
  // closing_ is read here, when the answer is built, so a shutdown that
  // arrived while the handler ran still makes this the last response.
  const bool keep_alive = !close_after && !closing_ && request_.keep_alive();
  PrepareAnswer(&request_.base(), response);
  try {
    response_ = ToWireResponse(std::move(response), request_.version(), keep_alive, request_id_);
  } catch (...) {
    log_status_ = 500;
    response_ =
        ToWireResponse(api::ErrorResponse(500, "internal server error"), request_.version(), false, request_id_);
  }
  state_ = State::kWriting;
  Lowest().expires_after(context_.options.idle_timeout);
  net::async_write(stream_, response_.buffers(),
                   beast::bind_front_handler(&BasicHttpSession::OnWrite, this->shared_from_this(), /*linger=*/false));
}

template <class Stream>
void BasicHttpSession<Stream>::SendError(api::Response response) {
  // The request may not have been parsed far enough to know its version.
  // Its fields as far as they were read (a 413 is decided on the header,
  // before Beast calls it done).
  PrepareAnswer(parser_ ? &parser_->get().base() : nullptr, response);
  response_ = ToWireResponse(std::move(response), kHttp11, /*keep_alive=*/false, request_id_);
  state_ = State::kWriting;
  Lowest().expires_after(context_.options.idle_timeout);
  net::async_write(stream_, response_.buffers(),
                   beast::bind_front_handler(&BasicHttpSession::OnWrite, this->shared_from_this(), /*linger=*/true));
}

template <class Stream>
void BasicHttpSession<Stream>::OnWrite(bool linger, beast::error_code ec, std::size_t /*bytes*/) {
  if (log_pending_) LogRequest();
  if (ec || state_ == State::kClosed) return Close();
  if (linger) return StartLinger();
  if (closing_ || response_.close) return EndAfterResponse();
  DoRead();
}

template <class Stream>
void BasicHttpSession<Stream>::StartLinger() {
  if (closing_) return Close();
  beast::error_code ec;
  Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  state_ = State::kLingering;
  // One budget for the whole linger, not per read.
  Lowest().expires_after(std::min<std::chrono::steady_clock::duration>(context_.options.idle_timeout, kLingerTimeout));
  DoLingerRead();
}

template <class Stream>
void BasicHttpSession<Stream>::DoLingerRead() {
  buffer_.clear();  // what is left of the request is never parsed now
  // From the TCP socket even under TLS: the bytes are discarded unread, and
  // the TLS stream may be in any state after an error.
  Lowest().async_read_some(buffer_.prepare(std::min(kLingerChunk, buffer_.max_size())),
                           beast::bind_front_handler(&BasicHttpSession::OnLingerRead, this->shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::OnLingerRead(beast::error_code ec, std::size_t bytes) {
  lingered_bytes_ += bytes;
  if (ec || state_ != State::kLingering || lingered_bytes_ > kLingerMaxBytes) return Close();
  DoLingerRead();  // the bytes were never committed to buffer_, so they are discarded
}

template <class Stream>
void BasicHttpSession<Stream>::PrepareAnswer(const http::request_header<>* header, const api::Response& response) {
  const std::string_view incoming = header ? RequestIdOf(*header) : std::string_view();
  if (IsValidRequestId(incoming)) {
    request_id_.assign(incoming);
  } else {
    NewRequestId(request_id_);
  }
  log_pending_ = log::Enabled(log::Level::kInfo);
  if (!log_pending_) return;
  log_header_ = header;
  log_status_ = (response.status >= 100 && response.status <= 999) ? response.status : 500;  // as ToWireResponse
  log_client_id_.assign(response.client_id);
  // An answer made before the header was whole is timed from here.
  if (started_ == std::chrono::steady_clock::time_point{}) started_ = std::chrono::steady_clock::now();
}

template <class Stream>
void BasicHttpSession<Stream>::LogRequest() {
  log_pending_ = false;
  RequestLogEntry entry;
  entry.request_id = request_id_;
  entry.remote_address = remote_address_;
  if (log_header_) {
    const auto method = log_header_->method_string();
    const auto target = log_header_->target();
    const auto agent = (*log_header_)[http::field::user_agent];
    entry.method = std::string_view(method.data(), method.size());
    entry.target = std::string_view(target.data(), target.size());
    entry.user_agent = std::string_view(agent.data(), agent.size());
  }
  entry.status = log_status_;
  entry.duration = std::chrono::steady_clock::now() - started_;
  entry.client_id = log_client_id_;
  FormatRequestLine(entry, log_line_);
  log::Write(log::Level::kInfo, log_line_);
}

template <class Stream>
void BasicHttpSession<Stream>::Close() {
  state_ = State::kClosed;
  // Cancels any pending read or timer; their handlers then drop the last
  // references and the destructor unregisters the session.
  Lowest().close();
}

template <class Stream>
boost::beast::tcp_stream& BasicHttpSession<Stream>::Lowest() {
  return beast::get_lowest_layer(stream_);
}

}  // namespace keymint::transport
