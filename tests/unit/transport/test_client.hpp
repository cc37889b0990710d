// Test helpers for the transport tests: a blocking HTTP/1.1 client for one
// connection, and an HttpServer running on its own thread. Plain types only,
// so that only test_client.cpp pays for Beast.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "keymint/api/router.hpp"
#include "keymint/transport/server.hpp"

namespace keymint::transport::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;
  std::string body;
  Headers headers;  // as received, in order
  bool keep_alive = false;

  // The first value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  std::size_t CountHeader(std::string_view name) const;
};

// One connection to 127.0.0.1:port. Every blocking call gives up after
// kTimeout (by shutting the socket down) so a server bug fails a test
// instead of hanging it. Errors throw boost::system::system_error.
class TestClient {
 public:
  static constexpr std::chrono::seconds kTimeout{10};

  // Connects from `source`, any of 127.0.0.0/8 (all loopback on Linux), so
  // a test can be several peers.
  explicit TestClient(uint16_t port, std::string_view source = "127.0.0.1");
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Sends an HTTP/1.1 request (keep-alive unless a Connection header says
  // otherwise) and reads the response.
  ClientResponse Request(std::string_view method, std::string_view target, std::string body = {},
                         const Headers& headers = {});
  void SendRaw(std::string_view bytes);
  ClientResponse ReadResponse();
  // True when the server has closed the connection: the next read sees EOF
  // or a reset rather than data or a timeout.
  bool ServerClosed();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Options for a test server: 127.0.0.1, any free port, short timeouts.
ServerOptions TestOptions();

// An HttpServer that has listened and is running Run() on its own thread.
// The destructor stops it and joins.
class RunningServer {
 public:
  // Throws std::runtime_error when Listen fails.
  explicit RunningServer(const api::Router& router, ServerOptions options = TestOptions());
  ~RunningServer();
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  uint16_t port() const { return server_.port(); }
  std::thread::id run_thread_id() const { return thread_.get_id(); }
  void Stop() { server_.Stop(); }
  // Waits up to `timeout` for Run() to return; joins the thread if it did.
  bool WaitForExit(std::chrono::milliseconds timeout);

 private:
  HttpServer server_;
  std::future<void> exited_;
  std::thread thread_;
};

// Polls `done` until it is true or `timeout` passes; returns the last value.
template <typename Predicate>
bool WaitUntil(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace keymint::transport::testing
