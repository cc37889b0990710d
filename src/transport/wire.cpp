#include "transport/wire.hpp"

#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace keymint::transport {

namespace http = boost::beast::http;

namespace {

bool StatusForbidsBody(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

// RFC 9110 §5.6.2 tchar, as a table: checked for every header of every response.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0x21; c < 0x7f; ++c) table[c] = true;
  for (const char c : std::string_view("\"(),/:;<=>?@[\\]{}")) table[static_cast<unsigned char>(c)] = false;
  return table;
}();

// RFC 9110 §5.6.2: a field name is a token.
bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!kTokenChars[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

// RFC 9110 §5.5: visible characters, spaces and tabs (and obs-text); never CR, LF or NUL.
bool IsFieldValue(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

api::Request ToApiRequest(const WireRequest& request, std::string_view remote_address) {
  api::Request out;
  out.method = request.method_string();
  out.target = request.target();
  // One pass over the fields instead of a lookup per field; the first of a
  // repeated field counts, as with Beast's operator[].
  bool content_type = false;
  bool authorization = false;
  bool if_none_match = false;
  bool user_agent = false;
  const auto take = [](bool& seen, std::string_view& to, boost::beast::string_view value) {
    if (seen) return;
    seen = true;
    to = std::string_view(value.data(), value.size());
  };
  for (const auto& field : request) {
    switch (field.name()) {
      case http::field::content_type:
        take(content_type, out.content_type, field.value());
        break;
      case http::field::authorization:
        take(authorization, out.authorization, field.value());
        break;
      case http::field::if_none_match:
        take(if_none_match, out.if_none_match, field.value());
        break;
      case http::field::user_agent:
        take(user_agent, out.user_agent, field.value());
        break;
      default:
        break;
    }
  }
  out.body = request.body();
  out.remote_address = remote_address;
  return out;
}

std::string_view RequestIdOf(const http::fields& fields) {
  for (const auto& field : fields) {
    if (field.name() == http::field::unknown && boost::beast::iequals(field.name_string(), "X-Request-Id")) {
      const auto value = field.value();
      return {value.data(), value.size()};
    }
  }
  return {};
}

WireResponse ToWireResponse(api::Response response, unsigned version, bool keep_alive, std::string_view request_id) {
  const int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
  // prepare_payload would throw on a body for these statuses, and clients
  // would read it as the start of the next response.
  const bool no_body = StatusForbidsBody(status);
  WireResponse out;
  out.close = !keep_alive;
  std::string& head = out.head;
  head.reserve(256);
  head += version == kHttp10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(status);
  head += ' ';
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  head.append(reason.data(), reason.size());
  head += "\r\nServer: keymint\r\n";
  const auto add = [&head](std::string_view name, std::string_view value) {
    if (!IsToken(name) || !IsFieldValue(value)) return;
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  };
  if (!no_body) {
    if (!response.content_type.empty()) add("Content-Type", response.content_type);
    out.body = std::move(response.body);
  }
  // In order, repeats kept: a handler may legitimately repeat a header (Link, Vary).
  for (const auto& [name, value] : response.headers) add(name, value);
  if (!request_id.empty()) add("X-Request-Id", request_id);
  // RFC 9110 §8.6: no Content-Length on the statuses without a body.
  if (!no_body) add("Content-Length", std::to_string(out.body.size()));
  // HTTP/1.1 keeps connections open unless told; HTTP/1.0 closes them unless told.
  if (version == kHttp10 && keep_alive) add("Connection", "keep-alive");
  if (version != kHttp10 && !keep_alive) add("Connection", "close");
  head += "\r\n";
  return out;
}

}  // namespace keymint::transport
