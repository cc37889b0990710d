// Reading JSON request bodies and writing JSON responses.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/api/http.hpp"
#include "keymint/common/result.hpp"

namespace keymint::api {

// The body as a JSON object. UnsupportedFormat (415) unless the Content-Type
// is application/json; InvalidArgument for malformed JSON or a non-object.
// `storage` lets a hot caller parse into a stack arena instead of the heap.
Result<boost::json::object> ParseJsonObject(const Request& request, boost::json::storage_ptr storage = {});

// Field readers: an InvalidArgument naming the field when missing or mistyped.
// The string view points into `body`.
Result<std::string_view> RequireString(const boost::json::object& body, std::string_view field);
Result<std::vector<std::string>> RequireStringArray(const boost::json::object& body, std::string_view field);
Result<bool> RequireBool(const boost::json::object& body, std::string_view field);
// nullopt when the field is absent or null; otherwise as RequireStringArray.
Result<std::optional<std::vector<std::string>>> OptionalStringArray(const boost::json::object& body,
                                                                    std::string_view field);

// nullopt when the field is absent or null; otherwise as RequireBool.
Result<std::optional<bool>> OptionalBool(const boost::json::object& body, std::string_view field);
// nullopt when the field is absent or null; otherwise an RFC 3339 date-time
// string (keymint::ParseTimestamp) as Unix ms, or an InvalidArgument naming it.
Result<std::optional<int64_t>> OptionalTimestamp(const boost::json::object& body, std::string_view field);

// A JSON response with `status` and `value` serialised as the body.
Response JsonResponse(int status, const boost::json::value& value);
Response NoContent();
// A JsonResponse that carries a secret shown once: never to be cached.
Response SecretResponse(int status, const boost::json::value& value);
// Marks an answer that carries a secret or a token as never to be cached
// (RFC 6749 §5.1: Cache-Control: no-store, Pragma: no-cache).
void AddNoStore(Response& response);

// A timestamp, or null when absent.
boost::json::value TimestampOrNull(const std::optional<int64_t>& unix_millis);
boost::json::array ToJsonArray(const std::vector<std::string>& strings);

}  // namespace keymint::api
