// The request headers the handlers read: Authorization schemes
// (CredentialsForScheme), HTTP Basic credentials (ParseBasicAuthorization,
// RFC 6749 §2.3.1) and media types (HasMediaType). Checked beyond "does not
// crash":
// - credentials found for a scheme are a view into the header, without
//   surrounding blanks, and the header really starts with that scheme;
// - the media type match ignores case and parameters, and agrees with a
//   simple model;
// - Basic credentials that parse re-encode (independently) to a header that
//   parses to the same id and secret, and any id and secret cut from the
//   input survive encode -> parse unchanged.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/form.hpp"
#include "api/headers.hpp"
#include "fuzz/fuzz_support.hpp"
#include "keymint/crypto/encoding.hpp"

namespace {

using keymint::api::CredentialsForScheme;
using keymint::api::HasMediaType;
using keymint::api::ParseBasicAuthorization;
using keymint::crypto::Base64Encode;
using keymint::fuzz::FormEncode;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

void CheckScheme(std::string_view header, std::string_view scheme) {
  const auto credentials = CredentialsForScheme(header, scheme);
  const std::string_view trimmed = Trim(header);
  const bool starts_with_scheme = trimmed.size() >= scheme.size() &&
                                  Lower(trimmed.substr(0, scheme.size())) == scheme &&
                                  (trimmed.size() == scheme.size() || trimmed[scheme.size()] == ' ');
  FUZZ_CHECK(credentials.has_value() == starts_with_scheme, std::string(header));
  if (!credentials) return;
  if (!credentials->empty()) {
    FUZZ_CHECK(credentials->data() >= header.data() &&
               credentials->data() + credentials->size() <= header.data() + header.size());
    FUZZ_CHECK(!IsBlank(credentials->front()) && !IsBlank(credentials->back()), std::string(header));
  }
  FUZZ_CHECK(*credentials == Trim(trimmed.substr(scheme.size())), std::string(header));
}

void CheckMediaType(std::string_view content_type) {
  for (std::string_view expected : {"application/json", "application/x-www-form-urlencoded"}) {
    const bool match = HasMediaType(content_type, expected);
    const std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
    FUZZ_CHECK(match == (Lower(type) == expected), std::string(content_type));
    FUZZ_CHECK(HasMediaType(Upper(content_type), expected) == match, std::string(content_type));
  }
}

void CheckBasic(std::string_view header) {
  const auto basic = ParseBasicAuthorization(header);
  FUZZ_CHECK(basic.has_value() == CredentialsForScheme(header, "basic").has_value(), std::string(header));
  if (!basic || !basic->ok()) return;
  const auto& credentials = **basic;
  FUZZ_CHECK(!credentials.client_id.empty(), std::string(header));
  const std::string again = "Basic " + Base64Encode(FormEncode(credentials.client_id) + ":" +
                                                    FormEncode(credentials.client_secret, /*space_as_plus=*/true));
  const auto reparsed = ParseBasicAuthorization(again);
  FUZZ_CHECK(reparsed && reparsed->ok(), again);
  FUZZ_CHECK((*reparsed)->client_id == credentials.client_id && (*reparsed)->client_secret == credentials.client_secret,
             again);
}

// The input split at its first NUL into an id and a secret, as a client
// would send them: form-encoded, joined by ':', base64, after "Basic".
void CheckBasicRoundTrip(std::string_view input) {
  const std::size_t nul = std::min(input.find('\0'), input.size());
  const std::string_view id = input.substr(0, nul);
  const std::string_view secret = nul < input.size() ? input.substr(nul + 1) : std::string_view();
  const std::string header = "Basic " + Base64Encode(FormEncode(id, /*space_as_plus=*/true) + ":" + FormEncode(secret));
  const auto parsed = ParseBasicAuthorization(header);
  FUZZ_CHECK(parsed.has_value(), header);
  if (id.empty()) {
    FUZZ_CHECK(!parsed->ok(), header);
    return;
  }
  FUZZ_CHECK(parsed->ok(), header);
  FUZZ_CHECK((*parsed)->client_id == id && (*parsed)->client_secret == secret, header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckScheme(input, "bearer");
  CheckScheme(input, "basic");
  CheckMediaType(input);
  CheckBasic(input);
  CheckBasicRoundTrip(input);
  return 0;
}
