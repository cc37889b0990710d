#include "keymint/common/account_rules.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace keymint {

TEST_CASE("IsPlausibleEmail accepts local@domain.tld and refuses the rest", "[common]") {
  for (const char* good : {"ada@example.com", "a.b+c@sub.example.co", "x@y.z", "Ada@Example.COM"}) {
    INFO(good);
    CHECK(IsPlausibleEmail(good));
  }
  for (const char* bad :
       {"", "ada", "@example.com", "ada@", "ada@example", "ada@.example.com", "ada@example.com.", "ada@exa..mple.com",
        "a@b@example.com", "ada @example.com", "ada@exa mple.com", "\"ada\"@example.com", "ada,bob@example.com",
        "<ada@example.com>", "ada:x@example.com", "ad\\a@example.com",
        "ad\x01"
        "a@example.com",
        "\xc3\xa4"
        "da@example.com"}) {
    INFO(bad);
    CHECK_FALSE(IsPlausibleEmail(bad));
  }
  const std::string domain = "@example.com";
  CHECK(IsPlausibleEmail(std::string(kMaxEmailBytes - domain.size(), 'a') + domain));
  CHECK_FALSE(IsPlausibleEmail(std::string(kMaxEmailBytes - domain.size() + 1, 'a') + domain));
}

TEST_CASE("HasPasswordLength is 8 to 1024 bytes", "[common]") {
  CHECK_FALSE(HasPasswordLength(""));
  CHECK_FALSE(HasPasswordLength(std::string(kMinPasswordBytes - 1, 'x')));
  CHECK(HasPasswordLength(std::string(kMinPasswordBytes, 'x')));
  CHECK(HasPasswordLength(std::string(kMaxPasswordBytes, 'x')));
  CHECK_FALSE(HasPasswordLength(std::string(kMaxPasswordBytes + 1, 'x')));
}

}  // namespace keymint
