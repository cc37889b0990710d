// --admin-listen: a second address that serves only /healthz, /readyz and
// /metrics, keeps answering while the main listener drains (/readyz 503),
// and stops with it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

// The admin port keymint announced on stderr ("operations endpoints on http://HOST:PORT").
uint16_t AdminPort(const KeymintProcess& keymint) {
  const std::string text = keymint.StderrText();
  const std::string marker = "operations endpoints on http://127.0.0.1:";
  const auto at = text.find(marker);
  INFO(text);
  REQUIRE(at != std::string::npos);
  return static_cast<uint16_t>(std::stoi(text.substr(at + marker.size())));
}

ProcessOptions WithAdminListener() {
  ProcessOptions options;
  options.extra_args = {"--admin-listen", "127.0.0.1:0"};
  return options;
}

// A connection that pipelines GET /healthz requests and never reads the
// answers. Once the server's write of an answer blocks (this side's receive
// window and the server's send buffer are full), the server stops reading and
// a send here makes no progress: from then on that request is in flight, and
// a draining server waits for it, until this connection closes.
class StalledClient {
 public:
  explicit StalledClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    const int small = 4096;  // a small receive window fills sooner
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const timeval timeout{0, 500'000};  // a send that makes no progress for 0.5 s gives up
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  }
  ~StalledClient() { Close(); }
  StalledClient(const StalledClient&) = delete;
  StalledClient& operator=(const StalledClient&) = delete;

  // Sends until the server stops reading; false if it read `limit` bytes first.
  bool FillUntilStalled(std::size_t limit = std::size_t{256} << 20) {
    std::string stream;
    for (int i = 0; i < 256; ++i) stream += "GET /healthz HTTP/1.1\r\nHost: keymint\r\n\r\n";
    std::size_t offset = 0, total = 0;  // offset in `stream`, which repeats, so requests stay whole
    while (total < limit) {
      const ssize_t sent = ::send(fd_, stream.data() + offset, stream.size() - offset, MSG_NOSIGNAL);
      if (sent < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
      total += static_cast<std::size_t>(sent);
      offset = (offset + static_cast<std::size_t>(sent)) % stream.size();
    }
    return false;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

TEST_CASE("With --admin-listen the operations endpoints move to the admin address", "[integration][ops]") {
  KeymintProcess keymint(WithAdminListener());
  const uint16_t port = keymint.port(), admin = AdminPort(keymint);
  REQUIRE(admin != port);

  CHECK(CheckJsonObject(Get(admin, "/healthz"), 200, {"status"}).at("status") == "ok");
  CHECK(CheckJsonObject(Get(admin, "/readyz"), 200, {"status"}).at("status") == "ready");
  // The main address answers them like any unknown path, and serves the API as before.
  for (const std::string path : {"/healthz", "/readyz", "/metrics"}) {
    INFO(path);
    CheckError(Get(port, path), 404);
  }
  const std::string token = AdminToken(port);
  // The admin address serves nothing else.
  CheckError(Get(admin, "/api/v1/users", token), 404);
  CheckError(Get(admin, "/.well-known/jwks.json"), 404);
  CheckError(PostJson(admin, "/api/v1/token", PasswordBody(kAdminEmail, kAdminPassword)), 404);

  // One set of metrics: the admin address reports what both served (three
  // 404s on each).
  const HttpResponse metrics = Get(admin, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find(
            R"(keymint_token_requests_total{endpoint="/api/v1/token",grant="password",outcome="issued"} 1)") !=
        std::string::npos);
  CHECK(metrics.body.find(R"(keymint_management_requests_total{method="any",route="unmatched",status="404"} 6)") !=
        std::string::npos);
  CHECK(keymint.Stop() == 0);
}

TEST_CASE("The admin address answers /readyz 503 while the main listener drains, then both stop cleanly",
          "[integration][ops]") {
  KeymintProcess keymint(WithAdminListener());
  const uint16_t admin = AdminPort(keymint);
  StalledClient stalled(keymint.port());
  REQUIRE(stalled.FillUntilStalled());
  // A server slowed down (a sanitizer build, a busy machine) can pause
  // reading for 0.5 s without being stuck on a write: give it a second, then
  // fill again, so that the stall is the server's blocked write and the
  // drain has a request in flight to wait for.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  REQUIRE(stalled.FillUntilStalled());

  int exit_status = -1;
  std::thread stopper([&keymint, &exit_status] { exit_status = keymint.Stop(); });  // SIGTERM, then waits
  HttpResponse ready;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    ready = Get(admin, "/readyz");
    if (ready.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  const HttpResponse health = Get(admin, "/healthz");
  stalled.Close();  // the last request in flight ends: the drain completes
  stopper.join();

  const std::string message = CheckError(ready, 503);
  CHECK(message.find("draining") != std::string::npos);
  CHECK(ready.Header("Retry-After") == "1");
  CHECK(health.status == 200);  // still alive while draining
  CHECK(exit_status == 0);
}

}  // namespace
}  // namespace keymint::testing
