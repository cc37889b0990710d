#include "keymint/transport/server.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "keymint/api/http_error.hpp"
#include "unit/transport/checks.hpp"
#include "unit/transport/test_client.hpp"

namespace keymint::transport {
namespace {

using namespace std::chrono_literals;
using testing::CheckRefusedAndClosed;
using testing::ClientResponse;
using testing::RunningServer;
using testing::TestClient;
using testing::TestOptions;
using testing::WaitUntil;

// Answers by target, and records which threads it ran on.
class FakeRouter : public api::Router {
 public:
  api::Outcome Dispatch(const api::Request& request) const override {
    Record(inline_thread_);
    api::Outcome outcome;
    if (request.target == "/hello") {
      api::Response response;
      response.body = R"({"hello":"world"})";
      response.AddHeader("X-Trace", "abc");
      response.AddHeader("Link", "<a>; rel=\"one\"");
      response.AddHeader("Link", "<b>; rel=\"two\"");
      outcome.ready = std::move(response);
    } else if (request.target == "/echo") {
      api::Response response;
      response.content_type = "text/plain";
      response.body = std::string(request.method) + "|" + std::string(request.target) + "|" +
                      std::string(request.content_type) + "|" + std::string(request.authorization) + "|" +
                      std::string(request.body);
      outcome.ready = std::move(response);
    } else if (request.target.substr(0, 9) == "/deferred") {
      // Reads `request` on the pool thread: the transport must keep it alive.
      outcome.deferred = [this, &request] {
        Record(pool_thread_);
        api::Response response;
        response.body = std::string(request.target) + "|" + std::string(request.body);
        return response;
      };
    } else if (request.target == "/slow") {
      outcome.deferred = [this] {
        slow_started_ = true;
        std::this_thread::sleep_for(300ms);
        api::Response response;
        response.body = std::string(4096, 's');
        return response;
      };
    } else if (request.target == "/very-slow") {
      outcome.deferred = [this] {
        slow_started_ = true;
        std::this_thread::sleep_for(2s);
        return api::Response{};
      };
    } else if (request.target == "/throw") {
      throw std::runtime_error("handler bug");
    } else if (request.target == "/throw-deferred") {
      outcome.deferred = []() -> api::Response { throw std::runtime_error("deferred handler bug"); };
    } else if (request.target == "/no-content") {
      api::Response response;
      response.status = 204;
      response.body = "must not be sent";
      outcome.ready = std::move(response);
    } else {
      outcome.ready = api::ErrorResponse(404, "no such path");
    }
    return outcome;
  }

  std::thread::id inline_thread() const { return Get(inline_thread_); }
  std::thread::id pool_thread() const { return Get(pool_thread_); }
  bool slow_started() const { return slow_started_; }

 private:
  void Record(std::thread::id& slot) const {
    std::lock_guard lock(mu_);
    slot = std::this_thread::get_id();
  }
  std::thread::id Get(const std::thread::id& slot) const {
    std::lock_guard lock(mu_);
    return slot;
  }

  mutable std::mutex mu_;
  mutable std::thread::id inline_thread_;  // guarded by mu_
  mutable std::thread::id pool_thread_;    // guarded by mu_
  mutable std::atomic<bool> slow_started_{false};
};

TEST_CASE("a GET returns the router's response with its extra headers and Server: keymint", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  const ClientResponse response = client.Request("GET", "/hello");

  CHECK(response.status == 200);
  CHECK(response.body == R"({"hello":"world"})");
  CHECK(response.Header("Content-Type") == "application/json");
  CHECK(response.Header("Content-Length") == std::to_string(response.body.size()));
  CHECK(response.Header("Server") == "keymint");
  CHECK(response.Header("X-Trace") == "abc");
  CHECK(response.CountHeader("Link") == 2);
  CHECK(response.keep_alive);
}

TEST_CASE("the router sees method, target, Content-Type, Authorization and body", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  const ClientResponse response = client.Request(
      "POST", "/echo", R"({"a":1})", {{"Content-Type", "application/json"}, {"Authorization", "Bearer t0k"}});

  CHECK(response.status == 200);
  CHECK(response.Header("Content-Type") == "text/plain");
  CHECK(response.body == R"(POST|/echo|application/json|Bearer t0k|{"a":1})");
}

TEST_CASE("two requests are answered on one keep-alive connection", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  const ClientResponse first = client.Request("GET", "/hello");
  const ClientResponse second = client.Request("POST", "/echo", "again");

  CHECK(first.status == 200);
  CHECK(first.keep_alive);
  CHECK(second.status == 200);
  CHECK(second.body == "POST|/echo|||again");
}

TEST_CASE("requests sent together in one write are answered in order, each with its own body", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond"
      "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");

  CHECK(client.ReadResponse().body == "POST|/echo|||first");
  CHECK(client.ReadResponse().body == "POST|/echo|||second");
  CHECK(client.ReadResponse().body == R"({"hello":"world"})");
}

TEST_CASE("a body that arrives after its header, in pieces, is read whole", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhel");
  std::this_thread::sleep_for(50ms);
  client.SendRaw("lo ");
  std::this_thread::sleep_for(50ms);
  client.SendRaw("world");

  const ClientResponse response = client.ReadResponse();
  CHECK(response.status == 200);
  CHECK(response.body == "POST|/echo|||hello world");
  CHECK(client.Request("POST", "/echo", "next").body == "POST|/echo|||next");
}

TEST_CASE("a request with Connection: close is answered and the connection closed", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  const ClientResponse response = client.Request("GET", "/hello", {}, {{"Connection", "close"}});

  CHECK(response.status == 200);
  CHECK_FALSE(response.keep_alive);
  CHECK(client.ServerClosed());
}

TEST_CASE("a deferred handler runs off the I/O thread and its response arrives", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  // An inline request first, to learn which thread does I/O.
  REQUIRE(client.Request("GET", "/hello").status == 200);
  const ClientResponse response = client.Request("POST", "/deferred/x", "payload");

  CHECK(response.status == 200);
  CHECK(response.body == "/deferred/x|payload");
  CHECK(response.keep_alive);
  CHECK(router.inline_thread() == server.run_thread_id());  // io_threads = 1: Run()'s own thread
  CHECK(router.pool_thread() != std::thread::id());
  CHECK(router.pool_thread() != router.inline_thread());
  // The connection is still usable afterwards.
  CHECK(client.Request("GET", "/hello").status == 200);
}

TEST_CASE("a body over body_limit gets 413 with an Error body, then the connection closes", "[transport]") {
  FakeRouter router;
  auto options = TestOptions();
  options.body_limit = 1024;
  RunningServer server(router, options);

  SECTION("slightly over the limit") {
    TestClient client(server.port());
    const ClientResponse response = client.Request("POST", "/echo", std::string(1025, 'x'));
    CHECK(response.status == 413);
    CHECK(response.Header("Content-Type") == "application/json");
    CHECK(response.body.find(R"("code":413)") != std::string::npos);
    CHECK(response.body.find(R"("message":)") != std::string::npos);
    CHECK_FALSE(response.keep_alive);
    CHECK(client.ServerClosed());
  }
  SECTION("far over the limit: the client can finish uploading and still reads the 413") {
    TestClient client(server.port());
    const ClientResponse response = client.Request("POST", "/echo", std::string(256 * 1024, 'x'));
    CHECK(response.status == 413);
    CHECK(client.ServerClosed());
  }
  SECTION("exactly at the limit is accepted") {
    TestClient client(server.port());
    CHECK(client.Request("POST", "/echo", std::string(1024, 'x')).status == 200);
  }
}

TEST_CASE("a header over header_limit gets 431, then the connection closes", "[transport]") {
  FakeRouter router;
  auto options = TestOptions();
  options.header_limit = 4096;
  RunningServer server(router, options);
  TestClient client(server.port());

  const ClientResponse response = client.Request("GET", "/hello", {}, {{"X-Big", std::string(8192, 'h')}});

  CheckRefusedAndClosed(client, response, 431);
}

TEST_CASE("bytes that are not HTTP get 400, then the connection closes", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw("NOT HTTP\r\n\r\n");
  const ClientResponse response = client.ReadResponse();

  CheckRefusedAndClosed(client, response, 400);
}

TEST_CASE("a handler that throws gets 500 and the server keeps serving", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  const std::string target = GENERATE(std::string("/throw"), std::string("/throw-deferred"));

  TestClient failing(server.port());
  const ClientResponse response = failing.Request("GET", target);
  CheckRefusedAndClosed(failing, response, 500);

  TestClient other(server.port());
  CHECK(other.Request("GET", "/hello").status == 200);
}

TEST_CASE("a 204 response has no body and no Content-Type", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  const ClientResponse response = client.Request("DELETE", "/no-content");

  CHECK(response.status == 204);
  CHECK(response.body.empty());
  CHECK_FALSE(response.HasHeader("Content-Type"));
  CHECK_FALSE(response.HasHeader("Content-Length"));
  // Nothing stray follows on the wire: the connection serves the next request.
  CHECK(client.Request("GET", "/hello").status == 200);
}

TEST_CASE("Stop() lets a slow deferred request finish, then Run() returns", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(WaitUntil([&] { return router.slow_started(); }));
  server.Stop();
  const ClientResponse response = client.ReadResponse();

  CHECK(response.status == 200);
  CHECK(response.body == std::string(4096, 's'));
  CHECK_FALSE(response.keep_alive);  // it was the connection's last response
  CHECK(client.ServerClosed());
  CHECK(server.WaitForExit(20s));
}

TEST_CASE("Stop() with an idle keep-alive connection returns well before drain_timeout", "[transport]") {
  FakeRouter router;
  auto options = TestOptions();
  options.drain_timeout = std::chrono::seconds(60);
  RunningServer server(router, options);
  TestClient client(server.port());
  REQUIRE(client.Request("GET", "/hello").keep_alive);

  server.Stop();

  CHECK(server.WaitForExit(30s));
  CHECK(client.ServerClosed());
}

TEST_CASE("Run() returns even when a request outlasts drain_timeout", "[transport]") {
  FakeRouter router;
  auto options = TestOptions();
  options.drain_timeout = std::chrono::seconds(1);
  std::optional<TestClient> client;
  {
    RunningServer server(router, options);
    client.emplace(server.port());
    client->SendRaw("GET /very-slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    REQUIRE(WaitUntil([&] { return router.slow_started(); }));

    server.Stop();

    // Run() still joins the pool, so it waits for the handler itself, but
    // not for the abandoned connection.
    CHECK(server.WaitForExit(30s));
  }
  // The abandoned connection is closed when the server is destroyed.
  CHECK(client->ServerClosed());
}

TEST_CASE("several I/O threads serve concurrent connections", "[transport]") {
  FakeRouter router;
  auto options = TestOptions();
  options.io_threads = 3;
  RunningServer server(router, options);
  constexpr int kClients = 6;
  constexpr int kRequestsEach = 20;
  std::atomic<int> ok{0};

  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      try {
        TestClient client(server.port());
        for (int i = 0; i < kRequestsEach; ++i) {
          const std::string target = "/deferred/" + std::to_string(c) + "/" + std::to_string(i);
          const bool deferred = i % 2 == 0;
          const ClientResponse response =
              deferred ? client.Request("POST", target, "b") : client.Request("GET", "/hello");
          const bool good = response.status == 200 && (!deferred || response.body == target + "|b");
          if (good) ++ok;
        }
      } catch (const std::exception&) {
        // counted as missing responses below
      }
    });
  }
  for (auto& thread : clients) thread.join();

  CHECK(ok == kClients * kRequestsEach);
}

TEST_CASE("Stop() twice, or before Run() starts serving, is harmless", "[transport]") {
  FakeRouter router;
  HttpServer server(TestOptions());
  REQUIRE(server.Listen().ok());
  server.Stop();
  server.Stop();
  std::thread runner([&] { server.Run(router); });
  runner.join();  // returns at once: the stop was already requested
  SUCCEED();
}

TEST_CASE("SIGTERM makes Run() drain and return normally", "[transport]") {
  FakeRouter router;
  RunningServer server(router);
  TestClient client(server.port());
  // A served request proves Run() is inside the io_context, so its signal
  // handler is installed and the signal cannot kill the test binary.
  REQUIRE(client.Request("GET", "/hello").status == 200);

  REQUIRE(::kill(::getpid(), SIGTERM) == 0);

  CHECK(server.WaitForExit(30s));
}

TEST_CASE("Listen on a port already in use fails with a message naming the address", "[transport]") {
  FakeRouter router;
  HttpServer first(TestOptions());
  REQUIRE(first.Listen().ok());
  REQUIRE(first.port() != 0);

  auto options = TestOptions();
  options.port = first.port();
  HttpServer second(options);
  const Status status = second.Listen();

  REQUIRE_FALSE(status.ok());
  const std::string address = "127.0.0.1:" + std::to_string(first.port());
  CHECK(status.error().message.find("cannot listen on " + address) != std::string::npos);
  // Run() on a server that failed to listen returns instead of serving nothing.
  second.Run(router);
}

TEST_CASE("Listen on a host that is not an address fails naming it", "[transport]") {
  FakeRouter router;
  auto options = TestOptions();
  options.host = "no-such-host.invalid";
  HttpServer server(options);

  const Status status = server.Listen();

  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("no-such-host.invalid:0") != std::string::npos);
}

}  // namespace
}  // namespace keymint::transport
