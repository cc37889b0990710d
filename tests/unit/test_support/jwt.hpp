// Reading the parts of a compact JWS in tests (no signature check: use
// crypto::VerifyJws for that).
#pragma once

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/crypto/encoding.hpp"

namespace keymint::testing {

inline std::vector<std::string> SplitJws(std::string_view jws) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = jws.find('.', start);
    parts.emplace_back(jws.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

// Part 0 is the protected header, part 1 the claims.
inline boost::json::object DecodeJwsPart(std::string_view jws, std::size_t part) {
  auto parts = SplitJws(jws);
  REQUIRE(parts.size() == 3);
  auto bytes = crypto::Base64UrlDecode(parts[part]);
  REQUIRE(bytes.has_value());
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(*bytes, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(value.is_object());
  return std::move(value.get_object());
}

inline boost::json::object JwtClaims(std::string_view jws) { return DecodeJwsPart(jws, 1); }
inline boost::json::object JwtHeader(std::string_view jws) { return DecodeJwsPart(jws, 0); }

}  // namespace keymint::testing
