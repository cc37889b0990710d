// No BOOST_BEAST_USE_STD_STRING_VIEW here: in Boost 1.81 it changes nothing
// (beast::string_view is always boost::core::string_view, which converts to
// and from std::string_view) and only prints a deprecation note.
#include "unit/transport/test_client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace keymint::transport::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Runs `op`; if it has not finished within `timeout`, shuts the socket down
// so the blocked call returns. Sets `timed_out` in that case.
template <typename Op>
auto WithDeadline(int fd, std::chrono::seconds timeout, bool& timed_out, Op op) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  timed_out = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, timeout, [&] { return done; })) {
      timed_out = true;
      ::shutdown(fd, SHUT_RDWR);
    }
  });
  auto finish = [&] {
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_one();
    watchdog.join();
  };
  try {
    auto result = op();
    finish();
    return result;
  } catch (...) {
    finish();
    throw;
  }
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool ClientResponse::HasHeader(std::string_view name) const { return CountHeader(name) > 0; }

std::size_t ClientResponse::CountHeader(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return EqualsIgnoreCase(h.first, name); }));
}

struct TestClient::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool timed_out = false;

  int fd() { return stream.socket().native_handle(); }
};

TestClient::TestClient(uint16_t port, std::string_view source) : impl_(std::make_unique<Impl>()) {
  auto& socket = impl_->stream.socket();
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(net::ip::make_address(std::string(source)), 0));
  impl_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

TestClient::~TestClient() = default;

ClientResponse TestClient::Request(std::string_view method, std::string_view target, std::string body,
                                   const Headers& headers) {
  http::request<http::string_body> request;
  request.version(11);
  request.method_string(method);
  request.target(target);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  WithDeadline(impl_->fd(), kTimeout, impl_->timed_out, [&] { return http::write(impl_->stream, request); });
  return ReadResponse();
}

void TestClient::SendRaw(std::string_view bytes) {
  WithDeadline(impl_->fd(), kTimeout, impl_->timed_out,
               [&] { return net::write(impl_->stream, net::buffer(bytes.data(), bytes.size())); });
}

ClientResponse TestClient::ReadResponse() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  WithDeadline(impl_->fd(), kTimeout, impl_->timed_out,
               [&] { return http::read(impl_->stream, impl_->buffer, parser); });
  const auto& message = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(message.result_int());
  out.body = message.body();
  out.keep_alive = message.keep_alive();
  for (const auto& field : message) out.headers.emplace_back(field.name_string(), field.value());
  return out;
}

bool TestClient::ServerClosed() {
  if (impl_->buffer.size() > 0) return false;  // the server sent more than one response
  char byte;
  beast::error_code ec;
  const std::size_t n = WithDeadline(impl_->fd(), kTimeout, impl_->timed_out,
                                     [&] { return impl_->stream.socket().read_some(net::buffer(&byte, 1), ec); });
  if (impl_->timed_out || n > 0) return false;
  return ec == net::error::eof || ec == net::error::connection_reset;
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;
  options.pool_threads = 2;
  options.idle_timeout = std::chrono::seconds(10);
  options.drain_timeout = std::chrono::seconds(30);
  return options;
}

RunningServer::RunningServer(const api::Router& router, ServerOptions options) : server_(std::move(options)) {
  const Status listening = server_.Listen();
  if (!listening.ok()) throw std::runtime_error(listening.error().message);
  std::packaged_task<void()> run([this, &router] { server_.Run(router); });
  exited_ = run.get_future();
  thread_ = std::thread(std::move(run));
}

RunningServer::~RunningServer() {
  server_.Stop();
  if (thread_.joinable()) thread_.join();
}

bool RunningServer::WaitForExit(std::chrono::milliseconds timeout) {
  if (exited_.wait_for(timeout) != std::future_status::ready) return false;
  if (thread_.joinable()) thread_.join();
  return true;
}

}  // namespace keymint::transport::testing
