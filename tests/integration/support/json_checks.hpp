// Accessors and checks over JSON values and the strings in them, shared by the
// integration suites. The accessors REQUIRE what they read, so a test that uses
// them fails at the first member of the wrong type or shape.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <vector>

namespace keymint::testing {

// REQUIREs `value` to be an object (array) and returns it.
const boost::json::object& AsObject(const boost::json::value& value);
const boost::json::array& AsArray(const boost::json::value& value);

// REQUIREs `object[name]` to be a string and returns it.
std::string StringField(const boost::json::object& object, const std::string& name);
// REQUIREs `object[name]` to be an array of strings and returns them in order
// (StringArrayField) or as a set (StringSetField).
std::vector<std::string> StringArrayField(const boost::json::object& object, const std::string& name);
std::set<std::string> StringSetField(const boost::json::object& object, const std::string& name);
// StringField(item, member) of every item of `items`, each REQUIREd to be an object.
std::vector<std::string> StringFields(const boost::json::array& items, const std::string& member);
// StringFields(items, "id").
std::vector<std::string> Ids(const boost::json::array& items);

// The exact set of member names of a JSON object, for schema-exact checks.
std::vector<std::string> Keys(const boost::json::object& object);  // sorted

// `names` sorted, for comparing member and role sets.
std::vector<std::string> Sorted(std::vector<std::string> names);
// ASCII lowercase.
std::string Lower(std::string text);

// True when `text` is RFC 3339 UTC with milliseconds: YYYY-MM-DDTHH:MM:SS.mmmZ
bool IsTimestamp(const std::string& text);
// True when `text` is a lowercase canonical UUID v4.
bool IsUuidV4(const std::string& text);
// True when `text` is non-empty and only RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~).
bool IsUrlSafe(const std::string& text);

}  // namespace keymint::testing
