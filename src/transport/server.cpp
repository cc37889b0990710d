#include "keymint/transport/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "transport/http_session.hpp"
#include "transport/session_registry.hpp"
#include "transport/tls_context.hpp"

namespace keymint::transport {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// After a failed accept (usually EMFILE) the same error repeats at once;
// pausing keeps the accept loop from spinning a core.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

std::string FormatAddress(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

// Threads: Run() drives ioc_ on options.io_threads threads (the caller is
// one of them); pool_ runs kPool handlers. Server-level I/O objects (acceptor,
// signals, stop socket, timers) live on strand_, so stopping_ needs no lock.
//
// Member order matters for destruction: the io_context is destroyed before
// the registry, the pool and the session context, because destroying it
// destroys queued handlers and with them the last sessions, whose destructors
// use those.
struct HttpServer::Impl {
  explicit Impl(ServerOptions options)
      : options_(std::move(options)),
        ioc_(std::max(1, options_.io_threads)),
        strand_(net::make_strand(ioc_)),
        acceptor_(strand_),
        accept_backoff_(strand_),
        drain_timer_(strand_),
        stop_reader_(strand_) {}

  ~Impl() {
    const int fd = stop_write_fd_.exchange(-1);
    if (fd >= 0) ::close(fd);
  }

  Status Listen();
  void Run(const api::Router& router);
  void RunIoLoop();
  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  void WaitForSignal();
  void WaitForReloadSignal();
  void ReloadTls();
  void WaitForStopRequest();
  void BeginShutdown();

  const ServerOptions options_;
  SessionRegistry registry_;
  std::optional<net::thread_pool> pool_;
  std::optional<SessionContext> session_context_;

  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_backoff_;
  net::steady_timer drain_timer_;
  std::optional<net::signal_set> signals_;
  std::optional<net::signal_set> reload_signals_;  // SIGHUP, with TLS or on_hangup only
  // The context new TLS connections get (null: plain HTTP). Read by
  // OnAccept and replaced by ReloadTls, both on strand_, so it needs no lock;
  // each session keeps the one it started with.
  std::shared_ptr<net::ssl::context> tls_context_;
  // Stop() sends one byte to the other end of this socket pair: send(2) is
  // async-signal-safe, posting to an io_context is not. A socket pair rather
  // than a pipe so that MSG_NOSIGNAL can rule out SIGPIPE.
  net::posix::stream_descriptor stop_reader_;
  std::atomic<int> stop_write_fd_{-1};
  std::atomic<bool> stop_requested_{false};
  char stop_byte_ = 0;

  uint16_t bound_port_ = 0;            // set by Listen, read-only afterwards
  bool stopping_ = false;              // on strand_ only
  std::atomic<bool> draining_{false};  // stopping_, for readers on other threads
};

Status HttpServer::Impl::Listen() {
  if (options_.tls_cert_file.empty() != options_.tls_key_file.empty()) {
    return Error::InvalidArgument("TLS needs both a certificate and a key file, or neither");
  }
  if (!options_.tls_cert_file.empty()) {
    auto context = LoadTlsContext(options_.tls_cert_file, options_.tls_key_file);
    if (!context.ok()) return std::move(context).error();
    tls_context_ = std::move(*context);
  }
  const std::string address_text = FormatAddress(options_.host, options_.port);
  auto failure = [&](const std::string& why) {
    return Error::Unavailable("cannot listen on " + address_text + ": " + why);
  };

  error_code ec;
  tcp::endpoint endpoint;
  const net::ip::address address = net::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    // Not an IP literal: resolve the name. Blocking is fine at start-up.
    tcp::resolver resolver(ioc_);
    const auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) return failure(ec ? ec.message() : "host has no address");
    endpoint = *results.begin();
  }

  auto step_failed = [&](error_code step_ec) {
    error_code ignored;
    acceptor_.close(ignored);  // so that Run() returns at once instead of serving nothing
    return failure(step_ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return step_failed(ec);
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) return step_failed(ec);
  if (acceptor_.bind(endpoint, ec); ec) return step_failed(ec);
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) return step_failed(ec);
  const tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return step_failed(ec);
  bound_port_ = local.port();

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0) {
    return step_failed(error_code(errno, boost::system::system_category()));
  }
  stop_reader_.assign(fds[0], ec);
  if (ec) {
    ::close(fds[0]);
    ::close(fds[1]);
    return step_failed(ec);
  }
  stop_write_fd_.store(fds[1]);
  // Caught from here on, not only once Run() starts: the caller announces
  // that it listens before Run(), and a SIGTERM sent on reading that line
  // must stop the server cleanly rather than kill it (asio queues a signal
  // that arrives before anyone waits for it).
  if (options_.handle_signals) signals_.emplace(strand_, SIGINT, SIGTERM);
  // Without TLS or on_hangup there is nothing to reload, and SIGHUP keeps its default.
  if (tls_context_ || options_.on_hangup) reload_signals_.emplace(strand_, SIGHUP);
  return Status::Ok();
}

void HttpServer::Impl::Run(const api::Router& router) {
  if (!acceptor_.is_open()) return;  // Listen() failed or was never called
  pool_.emplace(static_cast<std::size_t>(std::max(1, options_.pool_threads)));
  session_context_.emplace(SessionContext{router, options_, pool_->get_executor(), registry_});

  if (signals_) WaitForSignal();
  if (reload_signals_) WaitForReloadSignal();
  WaitForStopRequest();
  // Covers a Stop() that came before Listen() created the socket pair.
  if (stop_requested_.load()) net::post(strand_, [this] { BeginShutdown(); });
  DoAccept();

  // Only BeginShutdown stops the io_context: while a kPool handler runs there
  // may be no I/O pending, and run() must not return in that gap.
  auto work = net::make_work_guard(ioc_);
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { RunIoLoop(); });
  RunIoLoop();
  for (auto& thread : threads) thread.join();
  registry_.EndDrain();

  // Handlers still running on the pool (only after a drain timeout) finish
  // here; they post into the stopped io_context, which never runs them.
  pool_->join();
  signals_.reset();  // back to the default disposition: a later signal ends the process
  reload_signals_.reset();
}

void HttpServer::Impl::RunIoLoop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      // Sessions catch handler exceptions themselves; getting here is a bug,
      // but one connection's bug must not end the process.
      std::fprintf(stderr, "keymint: unexpected exception on an I/O thread: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "keymint: unexpected exception on an I/O thread\n");
    }
  }
}

void HttpServer::Impl::DoAccept() {
  // Each connection gets its own strand, so a multi-threaded io_context never
  // runs two handlers of one session at once. With one I/O thread nothing
  // can run at once: the strand would only add a queue to every completion.
  const net::any_io_executor executor = options_.io_threads <= 1 ? net::any_io_executor(ioc_.get_executor())
                                                                 : net::any_io_executor(net::make_strand(ioc_));
  acceptor_.async_accept(executor, [this](error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (stopping_) return;  // `socket`, if any, closes as it goes out of scope
  if (ec) {
    accept_backoff_.expires_after(kAcceptBackoff);
    accept_backoff_.async_wait([this](error_code wait_ec) {
      if (!wait_ec && !stopping_) DoAccept();
    });
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // responses are small and written whole
  const std::size_t live = registry_.size();
  if (live >= options_.max_connections + kRefusalSlots) {
    socket.close(ignored);  // even refusals are over budget: close unanswered
    return DoAccept();
  }
  std::string address = PeerAddress(socket);
  // One peer may not take every slot; refusals count against it too.
  const bool peer_over =
      options_.max_connections_per_address > 0 && registry_.CountFrom(address) >= options_.max_connections_per_address;
  const bool refuse = live >= options_.max_connections || peer_over;
  try {
    if (tls_context_) {
      StartTlsSession(std::move(socket), std::move(address), *session_context_, refuse, tls_context_);
    } else {
      StartPlainSession(std::move(socket), std::move(address), *session_context_, refuse);
    }
  } catch (const std::exception&) {
    // Out of memory for one more connection: drop it and keep serving.
  }
  DoAccept();
}

void HttpServer::Impl::WaitForSignal() {
  signals_->async_wait([this](error_code ec, int /*signal*/) {
    if (ec) return;
    if (stopping_) {
      ioc_.stop();  // a second signal skips the rest of the drain
      return;
    }
    BeginShutdown();
    WaitForSignal();
  });
}

void HttpServer::Impl::WaitForReloadSignal() {
  reload_signals_->async_wait([this](error_code ec, int /*signal*/) {
    if (ec || stopping_) return;
    if (tls_context_) ReloadTls();
    // The hook may read files and sign nothing, but it blocks: off the strand.
    if (options_.on_hangup) net::post(*pool_, options_.on_hangup);
    WaitForReloadSignal();
  });
}

void HttpServer::Impl::ReloadTls() {
  // A few file reads on the server strand: it delays accepting by as long,
  // never a request in flight.
  auto context = LoadTlsContext(options_.tls_cert_file, options_.tls_key_file);
  if (!context.ok()) {
    std::fprintf(stderr, "keymint: TLS reload refused, keeping the previous certificate: %s\n",
                 context.error().message.c_str());
    return;
  }
  tls_context_ = std::move(*context);
  std::fprintf(stderr, "keymint: TLS certificate reloaded from %s\n", options_.tls_cert_file.c_str());
}

void HttpServer::Impl::WaitForStopRequest() {
  stop_reader_.async_read_some(net::buffer(&stop_byte_, 1), [this](error_code ec, std::size_t /*bytes*/) {
    if (!ec) BeginShutdown();
  });
}

void HttpServer::Impl::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  draining_.store(true);
  error_code ignored;
  acceptor_.close(ignored);
  accept_backoff_.cancel();

  drain_timer_.expires_after(options_.drain_timeout);
  drain_timer_.async_wait([this](error_code ec) {
    if (!ec) ioc_.stop();  // sessions still alive are abandoned; ~Impl frees them
  });
  // io_context::stop is thread-safe, so the last session may call it from
  // whichever thread destroys it.
  const auto live = registry_.BeginDrain([this] { ioc_.stop(); });
  for (const auto& session : live) session->Shutdown();
}

Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() && key_file.empty()) return Status::Ok();
  auto context = LoadTlsContext(cert_file, key_file);
  if (!context.ok()) return std::move(context).error();
  return Status::Ok();
}

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Listen() { return impl_->Listen(); }

uint16_t HttpServer::port() const { return impl_->bound_port_; }

void HttpServer::Run(const api::Router& router) { impl_->Run(router); }

bool HttpServer::draining() const { return impl_->draining_.load(); }

std::size_t HttpServer::connections() const { return impl_->registry_.size(); }

void HttpServer::Stop() {
  // Only lock-free atomics and send(2): safe from a signal handler.
  if (impl_->stop_requested_.exchange(true)) return;
  const int fd = impl_->stop_write_fd_.load();
  if (fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t sent = ::send(fd, &byte, 1, MSG_NOSIGNAL);
  }
}

}  // namespace keymint::transport
