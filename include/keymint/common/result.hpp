// The one error vocabulary shared by every layer below the HTTP boundary.
//
// A function that can fail returns Result<T> (a value or an Error) or Status
// (Result<void>). Nothing throws across a layer: the API layer turns an Error
// into an HTTP status and body in exactly one place (api/http_error.cpp).
//
// Propagate with the two macros at the end of this file rather than by hand:
//   RETURN_IF_ERROR(store.Write(record));          // Status or Result<T>
//   ASSIGN_OR_RETURN(auto user, store.GetUser(id));  // declares or assigns
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace keymint {

enum class ErrorCode {
  kInvalidArgument,    // the caller sent something malformed or out of range (400)
  kUnsupportedFormat,  // the body is not in a format the operation reads (415)
  kUnauthenticated,    // missing or bad credentials (401)
  kPermissionDenied,   // authenticated but not allowed (403)
  kNotFound,           // no such resource, or not the caller's (404)
  kAlreadyExists,      // a unique name is taken (409)
  kResourceExhausted,  // too many failed attempts: throttled; retry later (429)
  kUnavailable,        // a dependency (disk, store) failed; retrying may help (503)
  kInternal,           // a bug or an impossible state (500)
};

struct Error {
  ErrorCode code;
  std::string message;  // for a person; never contains a secret
  // When to try again, in seconds; set with kResourceExhausted (0 = unknown).
  int64_t retry_after_seconds = 0;
  // A finer, machine-readable name for API dialects that name their errors
  // (RFC 6749's "error" member, e.g. "invalid_grant"); "" = the dialect's
  // name for `code`.
  std::string reason = {};

  static Error InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Error UnsupportedFormat(std::string m) { return {ErrorCode::kUnsupportedFormat, std::move(m)}; }
  static Error Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Error PermissionDenied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Error ResourceExhausted(std::string m, int64_t retry_after_s) {
    return {ErrorCode::kResourceExhausted, std::move(m), retry_after_s};
  }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  Error&& WithReason(std::string r) && {
    reason = std::move(r);
    return std::move(*this);
  }
};

// A value of type T or an Error. Cheap to move; check ok() before value().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Success or an Error, for operations with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool ok_ = true;
};

}  // namespace keymint

// Returns the Error of `expr` (a Status or a Result<T>) from the enclosing
// function, whose return type must accept an Error (a Status or a Result<U>).
#define RETURN_IF_ERROR(expr)                                                     \
  do {                                                                            \
    /* A reference, so that checking a named Result copies nothing on success. */ \
    if (auto&& keymint_status_ = (expr); !keymint_status_.ok()) {                 \
      return std::forward<decltype(keymint_status_)>(keymint_status_).error();    \
    }                                                                             \
  } while (false)

// Evaluates `expr` (a Result<T>); on error returns its Error from the enclosing
// function, else moves the value into `lhs`, which may be a declaration
// ("auto user") or an existing variable. Expands to several statements: do not
// use it as the body of an unbraced if or loop.
#define ASSIGN_OR_RETURN(lhs, expr) \
  KEYMINT_ASSIGN_OR_RETURN_IMPL(KEYMINT_RESULT_CONCAT(keymint_result_, __LINE__), lhs, expr)

#define KEYMINT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();       \
  lhs = std::move(tmp).value()
#define KEYMINT_RESULT_CONCAT_INNER(a, b) a##b
#define KEYMINT_RESULT_CONCAT(a, b) KEYMINT_RESULT_CONCAT_INNER(a, b)
