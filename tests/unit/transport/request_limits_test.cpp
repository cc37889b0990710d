// What the transport accepts of a request's framing, and what it costs: a
// hostile client gets a clear 4xx and a closed connection, never an unbounded
// buffer, a header smuggled in through a trailer, or a stall.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
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

// Echoes what the API layer was given, so a test can see exactly which
// header values and body bytes reached it.
class EchoRouter : public api::Router {
 public:
  api::Outcome Dispatch(const api::Request& request) const override {
    api::Outcome outcome;
    api::Response response;
    response.content_type = "text/plain";
    response.body = "auth=" + std::string(request.authorization) + "|type=" + std::string(request.content_type) +
                    "|peer=" + std::string(request.remote_address) + "|body=" + std::string(request.body);
    outcome.ready = std::move(response);
    return outcome;
  }
};

constexpr std::string_view kChunkedHead =
    "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";

// Sends `bytes` in pieces, stopping quietly when the server has closed: the
// point of these tests is what the server answers, not whether it read all.
void SendFlood(TestClient& client, std::string_view prefix, char filler, std::size_t total) {
  client.SendRaw(prefix);
  const std::string piece(16 * 1024, filler);
  try {
    for (std::size_t sent = 0; sent < total; sent += piece.size()) client.SendRaw(piece);
  } catch (const std::exception&) {
    // The server stopped reading and closed: fine.
  }
}

TEST_CASE("a chunk-size line that never ends is refused with 400, not buffered without bound", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  // 512 KiB of chunk extension with no CRLF: far past every limit.
  SendFlood(client, std::string(kChunkedHead) + "1;x=", 'a', 512 * 1024);
  const ClientResponse response = client.ReadResponse();

  CheckRefusedAndClosed(client, response, 400);
}

TEST_CASE("trailer lines that never end are refused with 400, not buffered without bound", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw(std::string(kChunkedHead) + "5\r\nhello\r\n0\r\n");
  std::string trailers;
  for (int i = 0; i < 20000; ++i) trailers += "X-T" + std::to_string(i) + ": aaaaaaaaaaaaaaaa\r\n";
  try {
    client.SendRaw(trailers);
  } catch (const std::exception&) {
  }
  const ClientResponse response = client.ReadResponse();

  CHECK(response.status == 400);
  CHECK(client.ServerClosed());
}

TEST_CASE("trailer fields never reach the API layer: a trailer cannot set Authorization", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw(std::string(kChunkedHead) +
                 "5\r\nhello\r\n6\r\n world\r\n0\r\nAuthorization: Bearer smuggled\r\nContent-Type: x/evil\r\n\r\n");
  const ClientResponse response = client.ReadResponse();

  CHECK(response.status == 200);
  CHECK(response.body == "auth=|type=text/plain|peer=127.0.0.1|body=hello world");
  CHECK(response.keep_alive);
  // The connection stays usable: the trailers were consumed, not left behind.
  CHECK(client.Request("GET", "/echo").status == 200);
}

TEST_CASE("a trailer named like an earlier header field does not displace Authorization", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  // A trailer "Host" is filed next to the header's Host, before Authorization.
  client.SendRaw(
      "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer real\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nok\r\n0\r\nHost: evil\r\nAuthorization: Bearer smuggled\r\n\r\n");

  CHECK(client.ReadResponse().body == "auth=Bearer real|type=|peer=127.0.0.1|body=ok");
}

// The body arrives in the same write as its header, so the session parses it
// from what it has buffered instead of reading again: the refusals must be
// the same there.
TEST_CASE("a chunked body sent with its header is refused at body_limit, and when malformed", "[transport]") {
  EchoRouter router;
  auto options = TestOptions();
  options.body_limit = 1024;
  RunningServer server(router, options);

  SECTION("over the limit: 413") {
    TestClient client(server.port());
    client.SendRaw(std::string(kChunkedHead) + "800\r\n" + std::string(0x800, 'x') + "\r\n0\r\n\r\n");
    CheckRefusedAndClosed(client, client.ReadResponse(), 413);
  }
  SECTION("a chunk size that is not hex: 400") {
    TestClient client(server.port());
    client.SendRaw(std::string(kChunkedHead) + "zz\r\nabc\r\n0\r\n\r\n");
    CheckRefusedAndClosed(client, client.ReadResponse(), 400);
  }
  SECTION("within the limit, in two chunks: answered, and the connection serves on") {
    TestClient client(server.port());
    client.SendRaw(std::string(kChunkedHead) + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    const ClientResponse response = client.ReadResponse();
    CHECK(response.status == 200);
    CHECK(response.body.ends_with("|body=abcde"));
    CHECK(response.keep_alive);
    CHECK(client.Request("POST", "/echo", "next").status == 200);
  }
}

TEST_CASE("a chunked body with a header Authorization keeps that one", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw(
      "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer real\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nok\r\n0\r\nAuthorization: Bearer smuggled\r\n\r\n");
  const ClientResponse response = client.ReadResponse();

  CHECK(response.status == 200);
  CHECK(response.body == "auth=Bearer real|type=|peer=127.0.0.1|body=ok");
}

TEST_CASE("a Transfer-Encoding other than exactly chunked is 400 and the connection closes", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  const std::string framing =
      GENERATE(std::string("Transfer-Encoding: gzip, chunked\r\n"), std::string("Transfer-Encoding: identity\r\n"),
               std::string("Transfer-Encoding: gzip\r\n"),
               std::string("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
               std::string("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"));
  CAPTURE(framing);
  TestClient client(server.port());

  client.SendRaw("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + "\r\n5\r\nhello\r\n0\r\n\r\n");
  const ClientResponse response = client.ReadResponse();

  CheckRefusedAndClosed(client, response, 400);
}

TEST_CASE("Transfer-Encoding: chunked in any letter case is accepted", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

  CHECK(client.ReadResponse().body == "auth=|type=|peer=127.0.0.1|body=abc");
}

TEST_CASE("Expect: 100-continue gets the interim answer before the body is sent", "[transport]") {
  EchoRouter router;
  RunningServer server(router);
  TestClient client(server.port());

  client.SendRaw("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  const ClientResponse interim = client.ReadResponse();
  REQUIRE(interim.status == 100);
  client.SendRaw("hello");
  const ClientResponse response = client.ReadResponse();

  CHECK(response.status == 200);
  CHECK(response.body == "auth=|type=|peer=127.0.0.1|body=hello");
}

TEST_CASE("Expect: 100-continue with a body over the limit gets 413 and no interim answer", "[transport]") {
  EchoRouter router;
  auto options = TestOptions();
  options.body_limit = 1024;
  RunningServer server(router, options);
  TestClient client(server.port());

  client.SendRaw("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 4096\r\n\r\n");

  CHECK(client.ReadResponse().status == 413);
}

TEST_CASE("past max_connections a new connection gets 503 and Retry-After; freed slots serve again", "[transport]") {
  EchoRouter router;
  auto options = TestOptions();
  options.max_connections = 2;
  RunningServer server(router, options);

  std::optional<TestClient> first(server.port());
  TestClient second(server.port());
  REQUIRE(first->Request("GET", "/echo").status == 200);
  REQUIRE(second.Request("GET", "/echo").status == 200);

  {
    TestClient refused(server.port());
    const ClientResponse response = refused.ReadResponse();
    CHECK(response.status == 503);
    CHECK(response.Header("Retry-After") == "1");
    CHECK(response.body.find(R"("code":503)") != std::string::npos);
    CHECK(refused.ServerClosed());
  }

  first.reset();  // frees a slot
  bool served = testing::WaitUntil([&] {
    try {
      TestClient again(server.port());
      return again.Request("GET", "/echo").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  });
  CHECK(served);
  CHECK(second.Request("GET", "/echo").status == 200);
}

TEST_CASE("past max_connections_per_address a peer gets 503 while other peers are served", "[transport]") {
  EchoRouter router;
  auto options = TestOptions();
  options.max_connections_per_address = 2;
  RunningServer server(router, options);

  TestClient first(server.port());
  TestClient second(server.port());
  REQUIRE(first.Request("GET", "/echo").status == 200);
  REQUIRE(second.Request("GET", "/echo").status == 200);

  TestClient refused(server.port());
  CheckRefusedAndClosed(refused, refused.ReadResponse(), 503);

  TestClient other_peer(server.port(), "127.0.0.2");
  CHECK(other_peer.Request("GET", "/echo").body.find("peer=127.0.0.2|") != std::string::npos);
}

}  // namespace
}  // namespace keymint::transport
