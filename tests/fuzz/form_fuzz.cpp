// ParseForm: the application/x-www-form-urlencoded bodies of /api/v2/token
// (RFC 6749 §4.4.2). Checked beyond "does not crash":
// - a parsed form has no empty names, and re-encoding it with an independent
//   encoder and parsing again gives the same form;
// - a refusal is InvalidArgument with a printable-ASCII message;
// - the input read as NUL-separated name, value, name, value, ... pieces,
//   encoded independently and parsed, gives exactly those pairs, or an error
//   when a name repeats (empty names are skipped, as "a=1&&b=2" shows).
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "api/form.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using keymint::ErrorCode;
using keymint::api::ParseForm;
using keymint::fuzz::FormEncode;
using Form = std::map<std::string, std::string>;

void CheckParsed(std::string_view body) {
  auto form = ParseForm(body);
  if (!form.ok()) {
    const std::string& message = form.error().message;
    FUZZ_CHECK(form.error().code == ErrorCode::kInvalidArgument, message);
    // The message ends up in a JSON answer: printable ASCII only, whatever was sent.
    for (const char c : message) FUZZ_CHECK(c >= 0x20 && c < 0x7f, message);
    return;
  }
  std::string encoded;
  for (const auto& [name, value] : *form) {
    FUZZ_CHECK(!name.empty());
    if (!encoded.empty()) encoded += '&';
    encoded += FormEncode(name) + "=" + FormEncode(value);
  }
  auto again = ParseForm(encoded);
  FUZZ_CHECK(again.ok(), encoded);
  FUZZ_CHECK(*again == *form, encoded);
}

void CheckRoundTrip(std::string_view input) {
  const auto pieces = keymint::fuzz::Split(input, '\0');
  Form expected;
  std::set<std::string> names;
  bool repeated = false;
  std::string body;
  for (std::size_t i = 0; i < pieces.size(); i += 2) {
    const std::string name(pieces[i]);
    const std::string value(i + 1 < pieces.size() ? pieces[i + 1] : std::string_view());
    if (!body.empty()) body += '&';
    // Alternate the two spellings of a space.
    body += FormEncode(name, i % 4 == 0) + "=" + FormEncode(value, i % 4 != 0);
    if (name.empty()) continue;
    if (!names.insert(name).second) repeated = true;
    expected.emplace(name, value);
  }
  auto form = ParseForm(body);
  if (repeated) {
    FUZZ_CHECK(!form.ok(), body);
    return;
  }
  FUZZ_CHECK(form.ok(), body);
  FUZZ_CHECK(*form == expected, body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckParsed(input);
  CheckRoundTrip(input);
  return 0;
}
