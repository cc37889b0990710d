// The process's log: JSON lines on stderr, formatted by spdlog and written in
// batches by one background thread, so that no request waits on log I/O and
// a request costs no wake-up or system call of its own. Every line is
// an object {"time":"<RFC 3339 UTC>","level":"...",<fields>}; callers supply
// the fields as already-escaped JSON members (keymint/common/json_string.hpp).
//
// Thread-safety: Start and Stop are called once each, from main, while no
// other thread logs. Enabled, Write, Message and Dropped are thread-safe and
// are no-ops (or false / 0) before Start and after Stop, so library code and
// tests may call them without a logger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keymint::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// "trace", "debug", "info", "warn", "error" or "off"; nullopt otherwise.
std::optional<Level> ParseLevel(std::string_view name);

// Bytes of lines that may wait for stderr. Beyond this a new line is dropped
// (counted by Dropped) rather than the caller blocking: a stalled stderr must
// slow nobody's token.
inline constexpr std::size_t kMaxQueuedBytes = 4 << 20;

// Starts the background writer with lines below `level` discarded at the
// call site.
void Start(Level level);
// Writes what is queued and stops the background thread.
void Stop();

// Whether a line at `level` would be written; cheap (one atomic load).
bool Enabled(Level level);
// Queues one line whose members are `fields` (without braces), e.g.
// `"request_id":"ab","status":200`. Never blocks on I/O.
void Write(Level level, std::string_view fields);
// Queues {"msg":"<message>"}, escaped.
void Message(Level level, std::string_view message);
// Lines dropped since Start (the queue full, or stderr closed).
uint64_t Dropped();

}  // namespace keymint::log
