// A small synchronous HTTP/1.1 client for integration tests (Beast, one
// connection per request unless a Connection object is reused).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace keymint::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  // The body parsed as JSON; fails the test (Catch2 FAIL) if it is not JSON.
  boost::json::value Json() const;
  // Header value or "" when absent (name is case-insensitive).
  std::string Header(const std::string& name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Sends one request to 127.0.0.1:port. `body` is sent as-is with the given
// headers (no Content-Type is added unless given).
HttpResponse Send(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
                  const Headers& headers = {});

// Send from `source`, a loopback address such as "127.0.0.2" (all of
// 127.0.0.0/8 is loopback on Linux), so that keymint sees another client address.
HttpResponse SendFrom(const std::string& source, uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = "", const Headers& headers = {});

// Conveniences. `bearer` = "" sends no Authorization header.
HttpResponse Get(uint16_t port, const std::string& target, const std::string& bearer = "");
HttpResponse Delete(uint16_t port, const std::string& target, const std::string& bearer = "");
HttpResponse PostJson(uint16_t port, const std::string& target, const boost::json::value& body,
                      const std::string& bearer = "");
HttpResponse PutJson(uint16_t port, const std::string& target, const boost::json::value& body,
                     const std::string& bearer = "");
HttpResponse PatchJson(uint16_t port, const std::string& target, const boost::json::value& body,
                       const std::string& bearer = "");
HttpResponse PostForm(uint16_t port, const std::string& target, const std::string& form_body,
                      const Headers& headers = {});

// Sends raw bytes and returns whatever the server answers before closing
// (or until 10 s pass). For malformed-HTTP tests.
std::string SendRaw(uint16_t port, const std::string& bytes);

}  // namespace keymint::testing
