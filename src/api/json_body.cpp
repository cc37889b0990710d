#include "api/json_body.hpp"

#include "api/headers.hpp"
#include "keymint/common/clock.hpp"

namespace keymint::api {
namespace json = boost::json;

Result<json::object> ParseJsonObject(const Request& request, json::storage_ptr storage) {
  if (!HasMediaType(request.content_type, "application/json")) {
    return Error::UnsupportedFormat("the request body must be JSON (Content-Type: application/json)");
  }
  json::parse_options options;
  options.max_depth = 16;  // our bodies are flat; deep nesting is hostile
  json::error_code ec;
  json::value value = json::parse(request.body, ec, std::move(storage), options);
  if (ec) return Error::InvalidArgument("malformed JSON body: " + ec.message());
  if (!value.is_object()) return Error::InvalidArgument("the JSON body must be an object");
  return std::move(value.get_object());
}

Result<std::string_view> RequireString(const json::object& body, std::string_view field) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return Error::InvalidArgument(std::string(field) + " is required");
  if (!v->is_string()) return Error::InvalidArgument(std::string(field) + " must be a string");
  return std::string_view(v->get_string());
}

Result<std::optional<bool>> OptionalBool(const json::object& body, std::string_view field) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<bool>();
  ASSIGN_OR_RETURN(bool value, RequireBool(body, field));
  return std::optional<bool>(value);
}

Result<std::optional<int64_t>> OptionalTimestamp(const json::object& body, std::string_view field) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<int64_t>();
  const std::optional<int64_t> parsed = v->is_string() ? ParseTimestamp(v->get_string()) : std::nullopt;
  if (!parsed) {
    return Error::InvalidArgument(std::string(field) +
                                  " must be an RFC 3339 date-time string, e.g. \"2027-01-01T00:00:00Z\"");
  }
  return parsed;
}

Result<std::vector<std::string>> RequireStringArray(const json::object& body, std::string_view field) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return Error::InvalidArgument(std::string(field) + " is required");
  if (!v->is_array()) return Error::InvalidArgument(std::string(field) + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return Error::InvalidArgument(std::string(field) + " must be an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

Result<std::optional<std::vector<std::string>>> OptionalStringArray(const json::object& body, std::string_view field) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  ASSIGN_OR_RETURN(auto strings, RequireStringArray(body, field));
  return std::optional<std::vector<std::string>>(std::move(strings));
}

Result<bool> RequireBool(const json::object& body, std::string_view field) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return Error::InvalidArgument(std::string(field) + " is required");
  if (!v->is_bool()) return Error::InvalidArgument(std::string(field) + " must be a boolean");
  return v->get_bool();
}

Response JsonResponse(int status, const json::value& value) {
  Response response;
  response.status = status;
  response.body = json::serialize(value);
  return response;
}

Response SecretResponse(int status, const json::value& value) {
  Response response = JsonResponse(status, value);
  AddNoStore(response);
  return response;
}

void AddNoStore(Response& response) {
  response.AddHeader("Cache-Control", "no-store");
  response.AddHeader("Pragma", "no-cache");
}

Response NoContent() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

json::value TimestampOrNull(const std::optional<int64_t>& unix_millis) {
  if (!unix_millis) return nullptr;
  return json::string(FormatTimestamp(*unix_millis));
}

json::array ToJsonArray(const std::vector<std::string>& strings) {
  json::array array;
  for (const auto& s : strings) array.emplace_back(s);
  return array;
}

}  // namespace keymint::api
