#include "json_checks.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <regex>
#include <utility>

namespace keymint::testing {
namespace json = boost::json;

const json::object& AsObject(const json::value& value) {
  REQUIRE(value.is_object());
  return value.as_object();
}

const json::array& AsArray(const json::value& value) {
  REQUIRE(value.is_array());
  return value.as_array();
}

std::string StringField(const json::object& object, const std::string& name) {
  INFO("member " << name << " of " << json::serialize(object));
  const json::value* value = object.if_contains(name);
  REQUIRE(value != nullptr);
  REQUIRE(value->is_string());
  return std::string(value->as_string());
}

std::vector<std::string> StringArrayField(const json::object& object, const std::string& name) {
  INFO("member " << name << " of " << json::serialize(object));
  const json::value* value = object.if_contains(name);
  REQUIRE(value != nullptr);
  REQUIRE(value->is_array());
  std::vector<std::string> strings;
  for (const json::value& item : value->as_array()) {
    REQUIRE(item.is_string());
    strings.emplace_back(item.as_string());
  }
  return strings;
}

std::set<std::string> StringSetField(const json::object& object, const std::string& name) {
  const std::vector<std::string> strings = StringArrayField(object, name);
  return {strings.begin(), strings.end()};
}

std::vector<std::string> StringFields(const json::array& items, const std::string& member) {
  std::vector<std::string> values;
  values.reserve(items.size());
  for (const json::value& item : items) values.push_back(StringField(AsObject(item), member));
  return values;
}

std::vector<std::string> Ids(const json::array& items) { return StringFields(items, "id"); }

std::vector<std::string> Keys(const json::object& object) {
  std::vector<std::string> keys;
  keys.reserve(object.size());
  for (const auto& member : object) keys.emplace_back(member.key());
  return Sorted(std::move(keys));
}

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool IsTimestamp(const std::string& text) {
  static const std::regex pattern(R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$)");
  std::smatch match;
  if (!std::regex_match(text, match, pattern)) return false;
  const int month = std::stoi(match[2]), day = std::stoi(match[3]);
  const int hour = std::stoi(match[4]), minute = std::stoi(match[5]), second = std::stoi(match[6]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

bool IsUuidV4(const std::string& text) {
  static const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(text, pattern);
}

bool IsUrlSafe(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
  });
}

}  // namespace keymint::testing
