#include "api/form.hpp"

#include <algorithm>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

#include "api/headers.hpp"
#include "keymint/api/http_error.hpp"
#include "keymint/crypto/encoding.hpp"

namespace keymint::api {
namespace urls = boost::urls;
namespace {

const urls::encoding_opts kFormEncoding{/*space_as_plus=*/true};

// Percent-decodes one form-urlencoded component.
std::optional<std::string> DecodeComponent(std::string_view text) {
  // Without '%' or '+' there is nothing to decode or validate: the usual
  // client ID and secret, on every token request.
  if (text.find_first_of("%+") == std::string_view::npos) return std::string(text);
  auto pct = urls::make_pct_string_view(text);  // validates the escapes
  if (!pct) return std::nullopt;
  return pct->decode(kFormEncoding);
}

}  // namespace

Result<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> form;
  if (body.empty()) return form;
  // Boost.URL 1.81's parse_query re-measures its input with strlen
  // (boostorg/url#757): on a view that is not NUL-terminated right at its end
  // it reads past the view, and parses whatever follows. Parse a terminated
  // copy; a well-formed query holds no NUL, so strlen then finds the true end.
  const std::string terminated(body);
  auto parsed = urls::parse_query(terminated);
  if (!parsed) return Error::InvalidArgument("malformed form body");
  for (auto param : *parsed) {
    if (param.key.empty()) continue;  // "a=1&&b=2"
    auto [it, inserted] = form.emplace(param.key.decode(kFormEncoding), param.value.decode(kFormEncoding));
    // The name is decoded bytes, any bytes: quote it printably.
    if (!inserted) return Error::InvalidArgument("parameter " + EscapeUnprintable(it->first) + " is repeated");
  }
  return form;
}

std::optional<std::string> FormValue(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const std::size_t end = std::min(body.find('&'), body.size());
    const std::string_view pair = body.substr(0, end);
    body.remove_prefix(std::min(end + 1, body.size()));
    const std::size_t equals = std::min(pair.find('='), pair.size());
    auto key = DecodeComponent(pair.substr(0, equals));
    if (!key) return std::nullopt;
    if (*key == name) return DecodeComponent(pair.substr(std::min(equals + 1, pair.size())));
  }
  return std::nullopt;
}

std::optional<Result<BasicCredentials>> ParseBasicAuthorization(std::string_view header) {
  auto encoded = CredentialsForScheme(header, "basic");
  if (!encoded) return std::nullopt;
  // Made only when needed: this runs for every token request with Basic.
  const auto malformed = [] { return Result<BasicCredentials>(Error::InvalidArgument("malformed Basic credentials")); };
  auto decoded = crypto::Base64Decode(*encoded);
  if (!decoded) return malformed();
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return malformed();
  auto id = DecodeComponent(std::string_view(*decoded).substr(0, colon));
  auto secret = DecodeComponent(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret || id->empty()) return malformed();
  return Result<BasicCredentials>(BasicCredentials{std::move(*id), std::move(*secret)});
}

}  // namespace keymint::api
