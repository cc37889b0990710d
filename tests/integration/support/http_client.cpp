#include "http_client.hpp"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>

namespace keymint::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr std::uint64_t kBodyLimit = 64ull * 1024 * 1024;

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

tcp::endpoint Loopback(uint16_t port) { return {asio::ip::make_address_v4("127.0.0.1"), port}; }

HttpResponse TransportError(const std::string& what, const beast::error_code& ec) {
  HttpResponse response;
  response.status = 0;
  response.body = "transport error during " + what + ": " + ec.message();
  return response;
}

HttpResponse Convert(http::response<http::string_body>&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    const std::string name = Lowercase(std::string(field.name_string()));
    auto [it, inserted] = response.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

boost::json::value HttpResponse::Json() const {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) {
    FAIL("response body (status " << status << ") is not JSON (" << ec.message() << "): " << body);
  }
  return value;
}

std::string HttpResponse::Header(const std::string& name) const {
  const auto it = headers.find(Lowercase(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse Send(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                  const Headers& headers) {
  return SendFrom("127.0.0.1", port, method, target, body, headers);
}

HttpResponse SendFrom(const std::string& source, uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body, const Headers& headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(kRequestTimeout);
  beast::error_code ec;
  stream.socket().open(tcp::v4(), ec);
  if (!ec) stream.socket().bind({asio::ip::make_address_v4(source), 0}, ec);
  if (ec) return TransportError("bind " + source, ec);
  stream.connect(Loopback(port), ec);
  if (ec) return TransportError("connect", ec);

  http::request<http::string_body> request;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::user_agent, "keymint-integration-tests");
  // A User-Agent of the test's own replaces the default (credential usage
  // records the first one).
  for (const auto& [name, value] : headers) {
    if (beast::iequals(name, "User-Agent")) request.erase(http::field::user_agent);
  }
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(false);

  beast::error_code write_ec;
  http::write(stream, request, write_ec);
  // Even when the write failed (the server may answer early, e.g. 413, and
  // close), try to read whatever answer it sent.
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  parser.header_limit(1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec && !parser.is_header_done()) return TransportError(write_ec ? "write" : "read", write_ec ? write_ec : ec);
  if (ec && ec != http::error::end_of_stream && !parser.is_done()) return TransportError("read body", ec);

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return Convert(parser.release());
}

HttpResponse Get(uint16_t port, const std::string& target, const std::string& bearer) {
  Headers headers;
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return Send(port, "GET", target, "", headers);
}

HttpResponse Delete(uint16_t port, const std::string& target, const std::string& bearer) {
  Headers headers;
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return Send(port, "DELETE", target, "", headers);
}

namespace {
HttpResponse SendJson(uint16_t port, const std::string& method, const std::string& target,
                      const boost::json::value& body, const std::string& bearer) {
  Headers headers = {{"Content-Type", "application/json"}};
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return Send(port, method, target, boost::json::serialize(body), headers);
}
}  // namespace

HttpResponse PostJson(uint16_t port, const std::string& target, const boost::json::value& body,
                      const std::string& bearer) {
  return SendJson(port, "POST", target, body, bearer);
}

HttpResponse PutJson(uint16_t port, const std::string& target, const boost::json::value& body,
                     const std::string& bearer) {
  return SendJson(port, "PUT", target, body, bearer);
}

HttpResponse PatchJson(uint16_t port, const std::string& target, const boost::json::value& body,
                       const std::string& bearer) {
  return SendJson(port, "PATCH", target, body, bearer);
}

HttpResponse PostForm(uint16_t port, const std::string& target, const std::string& form_body, const Headers& headers) {
  // A Content-Type among `headers` replaces the form one (to test other types).
  const bool has_type = std::any_of(headers.begin(), headers.end(),
                                    [](const auto& header) { return Lowercase(header.first) == "content-type"; });
  Headers all;
  if (!has_type) all.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  all.insert(all.end(), headers.begin(), headers.end());
  return Send(port, "POST", target, form_body, all);
}

std::string SendRaw(uint16_t port, const std::string& bytes) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  stream.connect(Loopback(port), ec);
  if (ec) return "";
  asio::write(stream, asio::buffer(bytes), ec);
  // Signal that no more bytes come, so a server waiting for the rest of a
  // malformed request answers or closes instead of idling.
  if (!ec) stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::string received;
  char chunk[4096];
  while (true) {
    const std::size_t n = stream.read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
    if (ec) break;
  }
  return received;
}

}  // namespace keymint::testing
