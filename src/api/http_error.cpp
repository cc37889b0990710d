#include "keymint/api/http_error.hpp"

#include <boost/json.hpp>
#include <iostream>

namespace keymint::api {

std::string EscapeUnprintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnsupportedFormat:
      return 415;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(int status, std::string_view message) {
  Response response;
  response.status = status;
  response.body = boost::json::serialize(boost::json::object{{"code", status}, {"message", message}});
  return response;
}

std::string RetryAfterSeconds(const Error& error) {
  return std::to_string(error.retry_after_seconds > 0 ? error.retry_after_seconds : 1);
}

Response ErrorResponse(const Error& error) {
  const int status = HttpStatusFor(error.code);
  if (status == 429) {
    Response response = ErrorResponse(status, error.message);
    response.AddHeader("Retry-After", RetryAfterSeconds(error));
    return response;
  }
  if (status < 500) return ErrorResponse(status, error.message);
  // Server-side failures carry details (file paths, library messages) that are
  // for the operator, not the client: log them, answer generically.
  std::cerr << "keymint: " << status << ": " << error.message << std::endl;
  if (status != 503) return ErrorResponse(status, "internal error");
  Response response = ErrorResponse(status, "service temporarily unavailable; retry shortly");
  response.AddHeader("Retry-After", RetryAfterSeconds(error));
  return response;
}

}  // namespace keymint::api
