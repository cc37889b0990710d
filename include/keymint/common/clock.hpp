// Time, injected so that tests can move it. All times are Unix milliseconds (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keymint {

// Thread-safe: implementations must allow concurrent calls.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;
};

// The wall clock (CLOCK_REALTIME).
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

// RFC 3339 in UTC with milliseconds, e.g. "2026-11-23T19:31:14.123Z".
std::string FormatTimestamp(int64_t unix_millis);

// Reads an RFC 3339 date-time (§5.6: "2026-11-23T19:31:14Z", an optional
// fraction of which milliseconds are kept, "Z" or a "+hh:mm"/"-hh:mm"
// offset; "t" and "z" too) from year 1970 to 9999 as Unix ms; nullopt for
// anything else, including impossible dates such as February 30.
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace keymint
