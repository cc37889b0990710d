// The one place an error becomes an HTTP response outside the token endpoints:
// the seeds' Error shape {"code": <status>, "message": "..."}.
#pragma once

#include <string>
#include <string_view>

#include "keymint/api/http.hpp"
#include "keymint/common/result.hpp"

namespace keymint::api {

// Bytes from a request, made safe to quote in an error message: printable
// ASCII stays as it is and every other byte becomes %XX, so the JSON the
// message ends up in is valid UTF-8 whatever the client sent.
std::string EscapeUnprintable(std::string_view text);

int HttpStatusFor(ErrorCode code);
Response ErrorResponse(int status, std::string_view message);
// 4xx errors keep their message; 5xx errors are logged to stderr and answered
// with a generic message (their details are for the operator). 429 and 503
// carry Retry-After (the error's retry_after_seconds, else 1).
Response ErrorResponse(const Error& error);
// The Retry-After value for `error`: its retry_after_seconds, at least 1.
std::string RetryAfterSeconds(const Error& error);

}  // namespace keymint::api
