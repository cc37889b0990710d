#include "api/headers.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string_view>

using keymint::api::CredentialsForScheme;
using keymint::api::HasMediaType;

TEST_CASE("HasMediaType matches the media type ignoring parameters, case and spaces", "[api]") {
  for (const char* type : {"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
                           "Application/JSON", " application/json ", "application/json ; charset=utf-8"}) {
    INFO("Content-Type: " << type);
    CHECK(HasMediaType(type, "application/json"));
  }
  CHECK(HasMediaType("application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded"));
}

TEST_CASE("HasMediaType refuses any other media type", "[api]") {
  for (const char* type : {"", ";", "text/plain", "application/jsonx", "application/json-patch+json", "json",
                           "application/ json", "application/x-www-form-urlencoded"}) {
    INFO("Content-Type: " << type);
    CHECK_FALSE(HasMediaType(type, "application/json"));
  }
}

TEST_CASE("CredentialsForScheme returns what follows the scheme, matched case-insensitively", "[api]") {
  CHECK(CredentialsForScheme("Bearer abc.def.ghi", "bearer") == std::optional<std::string_view>("abc.def.ghi"));
  CHECK(CredentialsForScheme("bearer abc", "bearer") == std::optional<std::string_view>("abc"));
  CHECK(CredentialsForScheme("BEARER abc", "bearer") == std::optional<std::string_view>("abc"));
  CHECK(CredentialsForScheme("Basic dXNlcjpwYXNz", "basic") == std::optional<std::string_view>("dXNlcjpwYXNz"));
}

TEST_CASE("CredentialsForScheme trims the spaces around scheme and credentials", "[api]") {
  CHECK(CredentialsForScheme("Bearer    abc   ", "bearer") == std::optional<std::string_view>("abc"));
  CHECK(CredentialsForScheme("  Bearer abc", "bearer") == std::optional<std::string_view>("abc"));
}

TEST_CASE("CredentialsForScheme gives empty credentials for the scheme alone", "[api]") {
  CHECK(CredentialsForScheme("Bearer", "bearer") == std::optional<std::string_view>(""));
  CHECK(CredentialsForScheme(" basic  ", "basic") == std::optional<std::string_view>(""));
}

TEST_CASE("CredentialsForScheme is nullopt for another scheme or no header", "[api]") {
  for (const char* header :
       {"", " ", "Bearerabc", "Basic abc", "Token abc", "abc.def.ghi", "Bear abc", "Bearers abc"}) {
    INFO("Authorization: " << header);
    CHECK_FALSE(CredentialsForScheme(header, "bearer").has_value());
  }
}
