// X-Request-Id: the id that ties a request's log line to its response. A
// client's (or a proxy's) id is kept when it is plausible; otherwise keymint
// makes one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace keymint::transport {

inline constexpr std::size_t kMaxRequestIdLength = 128;

// 1..kMaxRequestIdLength characters of [A-Za-z0-9._:-]: enough for UUIDs,
// trace ids and the like, and nothing that could split a header or a log
// line.
bool IsValidRequestId(std::string_view id);

// Replaces `out` with 32 lowercase hex digits (128 random bits). From a
// per-thread generator seeded once from the OS: cheap, no syscall per
// request. Unpredictable enough to be unique, not meant as a secret.
void NewRequestId(std::string& out);

}  // namespace keymint::transport
