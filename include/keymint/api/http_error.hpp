// The one place an error becomes an HTTP response outside the token endpoints:
// the seeds' Error shape {"code": <status>, "message": "..."}.
#pragma once

#include <string_view>

#include "keymint/api/http.hpp"
#include "keymint/common/result.hpp"

namespace keymint::api {

int HttpStatusFor(ErrorCode code);
Response ErrorResponse(int status, std::string_view message);
Response ErrorResponse(const Error& error);

}  // namespace keymint::api
