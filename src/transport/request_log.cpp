#include "transport/request_log.hpp"

#include <algorithm>
#include <cstdint>

#include "keymint/common/json_string.hpp"

namespace keymint::transport {
namespace {

void AppendMember(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find_first_of("?#")); }

void FormatRequestLine(const RequestLogEntry& entry, std::string& out) {
  out.clear();
  out.append("\"request_id\":");
  AppendJsonString(out, entry.request_id);
  AppendMember(out, "remote", entry.remote_address);
  AppendMember(out, "method", entry.method);
  AppendMember(out, "path", PathOf(entry.target));
  out.append(",\"status\":");
  AppendJsonInteger(out, int64_t{entry.status});
  // Milliseconds with three decimals, written from integer microseconds so
  // that no floating-point formatting runs per request.
  const int64_t micros =
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(entry.duration).count());
  out.append(",\"duration_ms\":");
  AppendJsonInteger(out, micros / 1000);
  const auto fraction = static_cast<int>(micros % 1000);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + fraction / 100));
  out.push_back(static_cast<char>('0' + fraction / 10 % 10));
  out.push_back(static_cast<char>('0' + fraction % 10));
  if (!entry.client_id.empty()) AppendMember(out, "client_id", entry.client_id);
  AppendMember(out, "user_agent", entry.user_agent);
}

}  // namespace keymint::transport
