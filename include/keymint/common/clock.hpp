// Time, injected so that tests can move it. All times are Unix milliseconds (UTC).
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace keymint
