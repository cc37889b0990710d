#include "transport/wire.hpp"

#include <utility>

namespace keymint::transport {

namespace http = boost::beast::http;

namespace {

bool StatusForbidsBody(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

}  // namespace

api::Request ToApiRequest(const WireRequest& request, std::string_view remote_address) {
  api::Request out;
  out.method = request.method_string();
  out.target = request.target();
  out.content_type = request[http::field::content_type];
  out.authorization = request[http::field::authorization];
  out.body = request.body();
  out.remote_address = remote_address;
  return out;
}

WireResponse ToWireResponse(api::Response response, unsigned version, bool keep_alive) {
  const int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
  WireResponse out;
  out.version(version);
  out.result(static_cast<unsigned>(status));
  out.set(http::field::server, "keymint");
  // prepare_payload throws on a body for these statuses, and clients would
  // otherwise read it as the start of the next response.
  const bool no_body = StatusForbidsBody(status);
  if (!no_body) {
    if (!response.content_type.empty()) out.set(http::field::content_type, response.content_type);
    out.body() = std::move(response.body);
  }
  // insert, not set: a handler may legitimately repeat a header (Link, Vary).
  for (const auto& [name, value] : response.headers) out.insert(name, value);
  out.keep_alive(keep_alive);
  // RFC 9110 §8.6: no Content-Length on these; prepare_payload would add
  // "Content-Length: 0".
  if (!no_body) out.prepare_payload();
  return out;
}

}  // namespace keymint::transport
