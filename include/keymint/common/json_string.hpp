// JSON text written straight into a string, for the places that build their
// JSON by hand because they run on every request: the request log's lines
// and a token's claims.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keymint {

// Appends `text` to `out` as a JSON string with its quotes. Control
// characters, quotes and backslashes are escaped; bytes that are not valid
// UTF-8 become U+FFFD, so the result stays valid JSON whatever a client sent.
void AppendJsonString(std::string& out, std::string_view text);

// Appends `value` as a JSON number (decimal, no exponent).
void AppendJsonInteger(std::string& out, int64_t value);
void AppendJsonInteger(std::string& out, uint64_t value);

}  // namespace keymint
