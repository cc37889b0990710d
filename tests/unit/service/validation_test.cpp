#include "service/validation.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keymint/service/roles.hpp"

using keymint::ErrorCode;
using keymint::RoleCatalog;
using keymint::Status;
using keymint::ValidateCredentialName;
using keymint::ValidateEmail;
using keymint::ValidateNewPassword;
using keymint::ValidateRoles;

namespace {

void CheckInvalid(const Status& status, std::string_view field) {
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(status.error().message, Catch::Contains(std::string(field)));
}

}  // namespace

TEST_CASE("ValidateCredentialName accepts names matching the rule", "[service]") {
  for (std::string name : {std::string("ci"), std::string("a1"), std::string("a-b"), std::string("a_b"),
                           std::string("my-key_2"), std::string("z9"), std::string("a--__--0"),
                           std::string("a") + std::string(253, '-') + "b", std::string(255, 'q')}) {
    INFO("name of " << name.size() << " chars: " << name.substr(0, 16));
    CHECK(ValidateCredentialName(name).ok());
  }
}

TEST_CASE("ValidateCredentialName refuses names breaking the rule, naming the field", "[service]") {
  const std::vector<std::string> invalid = {
      "",                     // empty
      "a",                    // 1 character
      std::string(256, 'q'),  // 256 characters
      "Ab",
      "aB",
      "ABC",  // uppercase
      "1a",
      "9",
      "-a",
      "_a",  // not starting with a letter
      "a-",
      "a_",  // not ending with a letter or digit
      "a b",
      "a.b",
      "a/b",
      "a:b",
      "a@b",
      "a+b",
      "a\tb",
      "a\nb",
      std::string("a\0b", 3),  // NUL inside
      "\xc3\xa9t\xc3\xa9",     // non-ASCII letters
      "\xc3\xa9"
      "a",
  };
  for (const auto& name : invalid) {
    INFO("name: \"" << name << "\" (" << name.size() << " chars)");
    CheckInvalid(ValidateCredentialName(name), "name");
  }
}

TEST_CASE("ValidateEmail accepts plausible addresses", "[service]") {
  const std::string long_local(254 - std::string("@example.com").size(), 'a');
  for (std::string email :
       {std::string("a@b.co"), std::string("ada@example.com"), std::string("first.last+tag@sub.example.org"),
        std::string("ADA@EXAMPLE.COM"), std::string("admin@keymint.local"), std::string("o'neil@example.ie"),
        long_local + "@example.com"}) {
    INFO(email << " (" << email.size() << " chars)");
    CHECK(ValidateEmail(email).ok());
  }
}

TEST_CASE("ValidateEmail refuses implausible addresses, naming the field", "[service]") {
  const std::string too_long = std::string(255 - std::string("@example.com").size(), 'a') + "@example.com";
  const std::vector<std::string> invalid = {
      "",
      "ada",
      "ada.example.com",
      "@example.com",
      "ada@",
      "ada@example",
      "ada@.com",
      "ada@example.",
      "ada@example..com",
      "ada@@example.com",
      "ada@b@example.com",
      "ada lovelace@example.com",
      " ada@example.com",
      "ada@example.com ",
      "ada\t@example.com",
      "ada\n@example.com",
      "ad:a@example.com",
      "\"ada\"@example.com",
      "<ada@example.com>",
      "ada,bob@example.com",
      "ad\\a@example.com",
      "ad\x7f"
      "a@example.com",
      "\xc3\xa9@example.com",
      too_long,
  };
  for (const auto& email : invalid) {
    INFO("email: \"" << email << "\" (" << email.size() << " chars)");
    CheckInvalid(ValidateEmail(email), "email");
  }
}

TEST_CASE("ValidateNewPassword takes 8 to 1024 characters and names the field", "[service]") {
  CHECK(ValidateNewPassword("newPassword", std::string(8, 'p')).ok());
  CHECK(ValidateNewPassword("newPassword", std::string(1024, 'p')).ok());
  CheckInvalid(ValidateNewPassword("newPassword", ""), "newPassword");
  CheckInvalid(ValidateNewPassword("newPassword", std::string(7, 'p')), "newPassword");
  CheckInvalid(ValidateNewPassword("password", std::string(1025, 'p')), "password");
}

TEST_CASE("ValidateRoles accepts catalog roles and refuses unknown or repeated ones", "[service]") {
  RoleCatalog catalog({"Auditor"});
  CHECK(ValidateRoles(catalog, {}).ok());
  CHECK(ValidateRoles(catalog, {"System administrator", "Viewer", "Auditor"}).ok());
  CheckInvalid(ValidateRoles(catalog, {"Viewer", "Overlord"}), "Overlord");
  CheckInvalid(ValidateRoles(catalog, {"viewer"}), "roles");  // names are case-sensitive
  CheckInvalid(ValidateRoles(catalog, {"Viewer", "Editor", "Viewer"}), "Viewer");
}

TEST_CASE("the role catalog holds the built-in roles plus configured ones, without duplicates", "[service]") {
  RoleCatalog builtin;
  for (const char* name : {"System administrator", "Department administrator", "Research manager", "L1 researcher",
                           "L2 researcher", "ML engineer", "Editor", "Viewer"}) {
    INFO(name);
    CHECK(builtin.Contains(name));
  }
  CHECK_FALSE(builtin.Contains("Auditor"));

  RoleCatalog extended({"Auditor", "Viewer", "Auditor"});
  CHECK(extended.roles().size() == builtin.roles().size() + 1);
  CHECK(extended.Contains("Auditor"));
  CHECK(extended.roles().back().name == "Auditor");
  for (std::size_t i = 0; i < extended.roles().size(); ++i) {
    CHECK(extended.roles()[i].id == static_cast<int>(i) + 1);
    CHECK_FALSE(extended.roles()[i].description.empty());
  }
}

TEST_CASE("NormalizeEmail lowercases ASCII letters and keeps everything else", "[service]") {
  CHECK(keymint::NormalizeEmail("Ada.Lovelace+Tag@Example.COM") == "ada.lovelace+tag@example.com");
  CHECK(keymint::NormalizeEmail("already@lower.case") == "already@lower.case");
}
