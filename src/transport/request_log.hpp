// The request log line: what one request looked like from the outside, as
// the members of a JSON object (keymint/common/log.hpp adds time and level).
// Kept apart from the session so that the escaping and what is left out are
// unit-tested without a socket.
//
// What a line never holds: the query string (it may carry a token or a
// secret), the Authorization header, any other header but User-Agent, the
// body. Every text member is escaped (AppendJsonString), so a hostile path or
// User-Agent cannot forge a line or a field.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace keymint::transport {

struct RequestLogEntry {
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view method;  // "" when the request was not read far enough
  std::string_view target;  // as sent; only the path is logged
  int status = 0;
  std::chrono::steady_clock::duration duration{};
  std::string_view client_id;  // "" = unknown, left out
  std::string_view user_agent;
};

// `target` up to its first '?' or '#'.
std::string_view PathOf(std::string_view target);

// Replaces `out` with the line's members, in order: request_id, remote,
// method, path, status, duration_ms (microsecond precision), client_id (only
// when known), user_agent. Reuses `out`'s capacity.
void FormatRequestLine(const RequestLogEntry& entry, std::string& out);

}  // namespace keymint::transport
