// The HTTP request and response as the API layer sees them: plain values with
// no Beast or Asio types, so handlers are pure functions that compile fast and
// are tested without a socket. The transport converts to and from the wire.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keymint::api {

struct Request {
  std::string_view method;         // "GET", "POST", ... as sent
  std::string_view target;         // path and query as sent, e.g. "/api/v1/users?x=1"
  std::string_view content_type;   // Content-Type header, "" when absent
  std::string_view authorization;  // Authorization header, "" when absent
  std::string_view body;
  std::string_view remote_address;  // the TCP peer's IP address, e.g. "127.0.0.1"; "" when unknown
  std::string_view if_none_match;   // If-None-Match header, "" when absent (the web page's revalidation)
  std::string_view user_agent;      // User-Agent header, "" when absent (credential usage)
  // The views point into the transport's buffers and stay valid until the
  // response has been produced.
};

struct Response {
  int status = 200;
  std::string body;  // empty for 204
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // The client ID the request authenticated as (or tried to), for the request
  // log only: never sent. Empty when unknown or when request lines are off.
  std::string client_id;

  void AddHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

}  // namespace keymint::api
