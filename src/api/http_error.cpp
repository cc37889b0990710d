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
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
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

Response ErrorResponse(const Error& error) {
  const int status = HttpStatusFor(error.code);
  if (status < 500) return ErrorResponse(status, error.message);
  // Server-side failures carry details (file paths, library messages) that are
  // for the operator, not the client: log them, answer generically.
  std::cerr << "keymint: " << status << ": " << error.message << std::endl;
  return ErrorResponse(status, status == 503 ? "service temporarily unavailable; retry shortly" : "internal error");
}

}  // namespace keymint::api
