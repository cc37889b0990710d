// The HTTP/1.1 server: accepts connections on one address and hands each
// request to the api::Router given to Run(). It owns the io_context, the I/O threads and a
// small pool for blocking work (Placement::kPool), and knows nothing of the
// domain. Beast and Asio stay inside src/transport/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "keymint/api/router.hpp"
#include "keymint/common/result.hpp"

namespace keymint::transport {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port; see HttpServer::port()
  int io_threads = 1;
  int pool_threads = 2;                   // runs kPool handlers (synced writes, password KDF)
  std::size_t body_limit = 64 * 1024;     // larger bodies get 413 and the connection is closed
  std::size_t header_limit = 16 * 1024;   // larger headers get 431 and the connection is closed
  std::chrono::seconds idle_timeout{30};  // a connection idle this long, or a request unread this long, is closed
  // Connections served at once. Past it a new connection is answered 503 with
  // Retry-After and closed; past it by kRefusalSlots it is closed unanswered.
  // Bounds memory: see README "Limits".
  std::size_t max_connections = 10000;
  // Connections from one peer address served at once (0 = no limit), so that
  // one client cannot hold every slot; past it, 503 as above.
  std::size_t max_connections_per_address = 1000;
  std::chrono::seconds drain_timeout{10};  // on stop, in-flight requests get this long to finish
  // Whether SIGINT/SIGTERM stop this server. One server per process should:
  // a second one (the admin listener) is stopped by its owner instead.
  bool handle_signals = true;
  // HTTPS when both are set (PEM files; see LoadTlsContext in
  // src/transport/tls_context.hpp), plain HTTP when both are empty. SIGHUP
  // reloads them for new connections.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Run on the blocking pool on every SIGHUP (after the TLS reload, if TLS is
  // on); when set, SIGHUP is caught even without TLS. Leave it empty on a
  // second server of the process (the admin listener), or it runs twice.
  std::function<void()> on_hangup;
};

// Connections beyond max_connections that may be waiting for their 503 at once.
inline constexpr std::size_t kRefusalSlots = 64;

// Loads `cert_file` and `key_file` as Listen() would and discards them, so
// that start-up can refuse a bad pair (one line naming the file) before it
// writes anything. Both empty is fine (plain HTTP).
Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file);

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();

  // Loads the TLS certificate and key (if any; failing with a message naming
  // the file), binds and listens (failing with a message naming the address).
  Status Listen();
  // The bound port (after Listen), useful when options.port was 0.
  uint16_t port() const;

  // Serves every request through `router` until Stop() is called or
  // SIGINT/SIGTERM arrives (with TLS, SIGHUP reloads the certificate and key
  // for new connections; a pair that fails to load is refused with a log
  // line and the previous one stays), then stops accepting, lets in-flight requests
  // finish (up to drain_timeout), closes idle connections, joins all threads
  // and returns. Keeps a reference to `router` only until it returns. The
  // router may be built after Listen(), e.g. from the bound port. Call once.
  void Run(const api::Router& router);
  // Thread-safe and signal-safe to call from any thread; Run() then returns.
  void Stop();

  // For readiness and metrics; thread-safe. True from the moment shutdown
  // begins (Stop() or a signal): the server no longer accepts and finishes
  // what is in flight.
  bool draining() const;
  // Connections open now, including those being refused.
  std::size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keymint::transport
