#include "store/record_codec.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace codec = keymint::store_codec;
namespace json = boost::json;
using keymint::CredentialKind;
using keymint::CredentialRecord;
using keymint::UserRecord;

namespace {

UserRecord SampleUser() {
  UserRecord user;
  user.id = "7d9f0c1e-2b3a-4c5d-8e6f-0a1b2c3d4e5f";
  user.email = "ada@example.com";
  user.password_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaA";
  user.roles = {"System administrator", "Viewer"};
  user.created_by = "keymint";
  user.created_at_ms = 1'700'000'000'123;
  user.updated_at_ms = 1'700'000'100'456;
  user.generation = 3;
  return user;
}

// Every byte value, including NUL and bytes that are not valid UTF-8.
std::string AllBytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  return bytes;
}

CredentialRecord SampleCredential(CredentialKind kind) {
  CredentialRecord c;
  c.id = "0e8b7a6c-5d4e-4f3a-9b2c-1d0e9f8a7b6c";
  c.kind = kind;
  c.name = "ci-runner_2";
  c.client_id = "Zm9vYmFyYmF6cXV4LV9hYmNk";
  c.secret_hash = std::string("\x00\x01\xfe\xff\x80\x7f", 6) + std::string(26, '\x00');
  c.owner_id = kind == CredentialKind::kAccessKey ? "7d9f0c1e-2b3a-4c5d-8e6f-0a1b2c3d4e5f" : "";
  c.created_by = "ada@example.com";
  c.created_at_ms = 1'700'000'000'123;
  c.updated_at_ms = 1'700'000'200'789;
  c.enabled = kind == CredentialKind::kAccessKey;
  c.roles = kind == CredentialKind::kServiceAccount ? std::vector<std::string>{"Editor"} : std::vector<std::string>{};
  c.generation = 5;
  return c;
}

void CheckSame(const UserRecord& a, const UserRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.email == b.email);
  CHECK(a.password_hash == b.password_hash);
  CHECK(a.roles == b.roles);
  CHECK(a.created_by == b.created_by);
  CHECK(a.created_at_ms == b.created_at_ms);
  CHECK(a.updated_at_ms == b.updated_at_ms);
  CHECK(a.generation == b.generation);
}

void CheckSame(const CredentialRecord& a, const CredentialRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.kind == b.kind);
  CHECK(a.name == b.name);
  CHECK(a.client_id == b.client_id);
  CHECK(a.secret_hash == b.secret_hash);
  CHECK(a.owner_id == b.owner_id);
  CHECK(a.created_by == b.created_by);
  CHECK(a.created_at_ms == b.created_at_ms);
  CHECK(a.updated_at_ms == b.updated_at_ms);
  CHECK(a.enabled == b.enabled);
  CHECK(a.roles == b.roles);
  CHECK(a.generation == b.generation);
  CHECK(a.expires_at_ms == b.expires_at_ms);
  CHECK(a.scope == b.scope);
  CHECK(a.previous_secret_hash == b.previous_secret_hash);
  CHECK(a.previous_secret_ends_at_ms == b.previous_secret_ends_at_ms);
}

// The encoded object, changed by `edit`, serialised again.
template <typename Edit>
std::string Edited(const std::string& encoded, Edit edit) {
  json::value value = json::parse(encoded);
  edit(value.as_object());
  return json::serialize(value);
}

}  // namespace

TEST_CASE("a user record survives encoding and decoding", "[store]") {
  UserRecord user = SampleUser();
  auto decoded = codec::DecodeUser(codec::EncodeUser(user));
  REQUIRE(decoded.has_value());
  CheckSame(*decoded, user);
}

TEST_CASE("a user with no roles survives encoding and decoding", "[store]") {
  UserRecord user = SampleUser();
  user.roles.clear();
  auto decoded = codec::DecodeUser(codec::EncodeUser(user));
  REQUIRE(decoded.has_value());
  CHECK(decoded->roles.empty());
}

TEST_CASE("the last login is not part of an encoded record", "[store]") {
  UserRecord user = SampleUser();
  user.last_login_ms = 1'700'000'999'000;
  auto decoded_user = codec::DecodeUser(codec::EncodeUser(user));
  REQUIRE(decoded_user.has_value());
  CHECK_FALSE(decoded_user->last_login_ms.has_value());

  CredentialRecord credential = SampleCredential(CredentialKind::kAccessKey);
  credential.last_login_ms = 1'700'000'999'000;
  auto decoded_credential = codec::DecodeCredential(codec::EncodeCredential(credential));
  REQUIRE(decoded_credential.has_value());
  CHECK_FALSE(decoded_credential->last_login_ms.has_value());
}

TEST_CASE("an access key survives encoding and decoding", "[store]") {
  CredentialRecord credential = SampleCredential(CredentialKind::kAccessKey);
  auto decoded = codec::DecodeCredential(codec::EncodeCredential(credential));
  REQUIRE(decoded.has_value());
  CheckSame(*decoded, credential);
}

TEST_CASE("a service account survives encoding and decoding", "[store]") {
  CredentialRecord credential = SampleCredential(CredentialKind::kServiceAccount);
  auto decoded = codec::DecodeCredential(codec::EncodeCredential(credential));
  REQUIRE(decoded.has_value());
  CheckSame(*decoded, credential);
}

TEST_CASE("a secret hash of arbitrary bytes survives encoding and decoding", "[store]") {
  CredentialRecord credential = SampleCredential(CredentialKind::kAccessKey);
  credential.secret_hash = AllBytes();
  std::string encoded = codec::EncodeCredential(credential);
  auto decoded = codec::DecodeCredential(encoded);
  REQUIRE(decoded.has_value());
  CHECK(decoded->secret_hash == AllBytes());
  // The record is valid JSON text despite the binary field.
  json::error_code ec;
  (void)json::parse(encoded, ec);
  CHECK_FALSE(ec);
}

TEST_CASE("encoded records carry a format version", "[store]") {
  json::value user = json::parse(codec::EncodeUser(SampleUser()));
  json::value credential = json::parse(codec::EncodeCredential(SampleCredential(CredentialKind::kAccessKey)));
  CHECK(user.at("v").as_int64() == 1);
  CHECK(credential.at("v").as_int64() == 1);
}

TEST_CASE("bytes that are not a JSON object decode to nullopt", "[store]") {
  for (std::string bytes : {"", "not json", "{", "[]", "42", "\"a string\"", "null", "{\"id\":\"x\"} trailing"}) {
    INFO(bytes);
    CHECK_FALSE(codec::DecodeUser(bytes).has_value());
    CHECK_FALSE(codec::DecodeCredential(bytes).has_value());
  }
}

TEST_CASE("a user record with a missing field decodes to nullopt", "[store]") {
  const std::string encoded = codec::EncodeUser(SampleUser());
  for (const char* field : {"id", "email", "password", "roles", "createdBy", "createdAt", "updatedAt"}) {
    INFO(field);
    CHECK_FALSE(codec::DecodeUser(Edited(encoded, [&](json::object& o) { o.erase(field); })).has_value());
  }
}

TEST_CASE("a user record with a mistyped field decodes to nullopt", "[store]") {
  const std::string encoded = codec::EncodeUser(SampleUser());
  CHECK_FALSE(codec::DecodeUser(Edited(encoded, [](json::object& o) { o["id"] = 7; })).has_value());
  CHECK_FALSE(codec::DecodeUser(Edited(encoded, [](json::object& o) { o["roles"] = "Viewer"; })).has_value());
  CHECK_FALSE(codec::DecodeUser(Edited(encoded, [](json::object& o) {
                o["roles"] = json::array{"Viewer", 3};
              })).has_value());
  CHECK_FALSE(codec::DecodeUser(Edited(encoded, [](json::object& o) { o["createdAt"] = "yesterday"; })).has_value());
  CHECK_FALSE(codec::DecodeUser(Edited(encoded, [](json::object& o) { o["updatedAt"] = 1.5; })).has_value());
  CHECK_FALSE(codec::DecodeUser(Edited(encoded, [](json::object& o) { o["email"] = nullptr; })).has_value());
}

TEST_CASE("a credential record with a missing field decodes to nullopt", "[store]") {
  const std::string encoded = codec::EncodeCredential(SampleCredential(CredentialKind::kAccessKey));
  for (const char* field : {"id", "kind", "name", "clientId", "secretHmac", "owner", "createdBy", "createdAt",
                            "updatedAt", "enabled", "roles"}) {
    INFO(field);
    CHECK_FALSE(codec::DecodeCredential(Edited(encoded, [&](json::object& o) { o.erase(field); })).has_value());
  }
}

TEST_CASE("a credential record with a mistyped or corrupt field decodes to nullopt", "[store]") {
  const std::string encoded = codec::EncodeCredential(SampleCredential(CredentialKind::kAccessKey));
  auto decodes = [&](auto edit) { return codec::DecodeCredential(Edited(encoded, edit)).has_value(); };
  CHECK_FALSE(decodes([](json::object& o) { o["kind"] = "robot"; }));
  CHECK_FALSE(decodes([](json::object& o) { o["kind"] = 1; }));
  CHECK_FALSE(decodes([](json::object& o) { o["enabled"] = "true"; }));
  CHECK_FALSE(decodes([](json::object& o) { o["enabled"] = 1; }));
  CHECK_FALSE(decodes([](json::object& o) { o["createdAt"] = "0"; }));
  CHECK_FALSE(decodes([](json::object& o) { o["roles"] = json::array{nullptr}; }));
  CHECK_FALSE(decodes([](json::object& o) { o["secretHmac"] = "abc"; }));   // odd length
  CHECK_FALSE(decodes([](json::object& o) { o["secretHmac"] = "zz00"; }));  // not hex
  CHECK_FALSE(decodes([](json::object& o) { o["secretHmac"] = 1234; }));    // not a string
  CHECK_FALSE(decodes([](json::object& o) { o["clientId"] = json::array{}; }));
  CHECK_FALSE(decodes([](json::object& o) { o["tokensNotBefore"] = "soon"; }));
}

TEST_CASE("the whole-second cut-off of earlier versions becomes generation 1, and is no longer written", "[store]") {
  const std::string encoded = codec::EncodeCredential(SampleCredential(CredentialKind::kServiceAccount));
  CHECK(encoded.find("tokensNotBefore") == std::string::npos);
  const auto as_before = [](int64_t cut_off) {
    return [cut_off](json::object& o) {
      o.erase("generation");
      o["tokensNotBefore"] = cut_off;
    };
  };
  // A cut-off was set: tokens minted before the upgrade (gen 0) are all refused.
  auto cut = codec::DecodeCredential(Edited(encoded, as_before(1'700'000'150'000)));
  REQUIRE(cut.has_value());
  CHECK(cut->generation == 1);
  CHECK(cut->roles == std::vector<std::string>{"Editor"});
  // 0 meant "none refused": the credential's tokens stay good.
  auto none = codec::DecodeCredential(Edited(encoded, as_before(0)));
  REQUIRE(none.has_value());
  CHECK(none->generation == 0);
  // A record that already has a generation keeps it.
  auto both = codec::DecodeCredential(Edited(encoded, [](json::object& o) { o["tokensNotBefore"] = 1500; }));
  REQUIRE(both.has_value());
  CHECK(both->generation == 5);
}

TEST_CASE("an empty secret hash decodes as empty", "[store]") {
  CredentialRecord credential = SampleCredential(CredentialKind::kAccessKey);
  credential.secret_hash.clear();
  auto decoded = codec::DecodeCredential(codec::EncodeCredential(credential));
  REQUIRE(decoded.has_value());
  CHECK(decoded->secret_hash.empty());
}

TEST_CASE("generations survive encoding and decoding across the whole uint64 range", "[store]") {
  for (uint64_t generation : {uint64_t{0}, uint64_t{1}, uint64_t{INT64_MAX}, uint64_t{INT64_MAX} + 1, UINT64_MAX}) {
    INFO("generation " << generation);
    UserRecord user = SampleUser();
    user.generation = generation;
    auto decoded_user = codec::DecodeUser(codec::EncodeUser(user));
    REQUIRE(decoded_user.has_value());
    CHECK(decoded_user->generation == generation);

    CredentialRecord credential = SampleCredential(CredentialKind::kServiceAccount);
    credential.generation = generation;
    auto decoded_credential = codec::DecodeCredential(codec::EncodeCredential(credential));
    REQUIRE(decoded_credential.has_value());
    CHECK(decoded_credential->generation == generation);
  }
}

TEST_CASE("records written before generations existed decode with generation 0", "[store]") {
  const auto drop_generation = [](json::object& o) { o.erase("generation"); };
  auto user = codec::DecodeUser(Edited(codec::EncodeUser(SampleUser()), drop_generation));
  REQUIRE(user.has_value());
  CHECK(user->generation == 0);
  CHECK(user->email == "ada@example.com");

  auto credential = codec::DecodeCredential(
      Edited(codec::EncodeCredential(SampleCredential(CredentialKind::kAccessKey)), drop_generation));
  REQUIRE(credential.has_value());
  CHECK(credential->generation == 0);

  // Exactly what the previous format version wrote.
  auto old_user = codec::DecodeUser(
      R"({"v":1,"id":"u1","email":"old@example.com","password":"h","roles":["Viewer"],"createdBy":"keymint",)"
      R"("createdAt":1,"updatedAt":2})");
  REQUIRE(old_user.has_value());
  CHECK(old_user->generation == 0);
  auto old_credential = codec::DecodeCredential(
      R"({"v":1,"id":"c1","kind":"service-account","name":"old","clientId":"cid","secretHmac":"00ff","owner":"",)"
      R"("createdBy":"old@example.com","createdAt":1,"updatedAt":2,"enabled":true,"roles":[],"tokensNotBefore":1500})");
  REQUIRE(old_credential.has_value());
  CHECK(old_credential->generation == 1);  // it carried a cut-off
}

TEST_CASE("a generation that is not a non-negative integer makes the record undecodable", "[store]") {
  const std::string user = codec::EncodeUser(SampleUser());
  const std::string credential = codec::EncodeCredential(SampleCredential(CredentialKind::kAccessKey));
  for (const json::value& bad : {json::value(-1), json::value("1"), json::value(1.0), json::value(true),
                                 json::value(nullptr), json::value(json::array{1})}) {
    INFO("generation " << json::serialize(bad));
    const auto set_bad = [&](json::object& o) { o["generation"] = bad; };
    CHECK_FALSE(codec::DecodeUser(Edited(user, set_bad)).has_value());
    CHECK_FALSE(codec::DecodeCredential(Edited(credential, set_bad)).has_value());
  }
}

TEST_CASE("the credential lifecycle's fields survive encoding and decoding", "[store]") {
  CredentialRecord key = SampleCredential(CredentialKind::kAccessKey);
  key.expires_at_ms = 1'800'000'000'000;
  key.scope = std::vector<std::string>{"Viewer", "L1 researcher"};
  key.previous_secret_hash = AllBytes().substr(100, 32);
  key.previous_secret_ends_at_ms = 1'700'000'600'000;
  auto decoded = codec::DecodeCredential(codec::EncodeCredential(key));
  REQUIRE(decoded.has_value());
  CheckSame(key, *decoded);

  // An empty scope is a scope (nothing), not "unscoped".
  key.scope = std::vector<std::string>{};
  decoded = codec::DecodeCredential(codec::EncodeCredential(key));
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->scope.has_value());
  CHECK(decoded->scope->empty());
}

TEST_CASE("a credential without lifecycle fields writes none of them", "[store]") {
  const json::object encoded =
      json::parse(codec::EncodeCredential(SampleCredential(CredentialKind::kServiceAccount))).as_object();
  for (const char* member : {"expiresAt", "scope", "previousSecretHmac", "previousSecretEndsAt"}) {
    INFO(member);
    CHECK_FALSE(encoded.contains(member));
  }
}

TEST_CASE("records written before the credential lifecycle decode as unexpiring, unscoped, without grace", "[store]") {
  // Exactly what the previous version wrote.
  auto old_key = codec::DecodeCredential(
      R"({"v":1,"id":"c1","kind":"access-key","name":"old","clientId":"cid","secretHmac":"00ff","owner":"u1",)"
      R"("createdBy":"old@example.com","createdAt":1,"updatedAt":2,"enabled":true,"roles":[],"generation":4})");
  REQUIRE(old_key.has_value());
  CHECK_FALSE(old_key->expires_at_ms.has_value());
  CHECK_FALSE(old_key->scope.has_value());
  CHECK(old_key->previous_secret_hash.empty());
  CHECK(old_key->previous_secret_ends_at_ms == 0);
  CHECK(old_key->generation == 4);
}

TEST_CASE("a mistyped or corrupt lifecycle field makes the credential undecodable", "[store]") {
  CredentialRecord key = SampleCredential(CredentialKind::kAccessKey);
  key.expires_at_ms = 1'800'000'000'000;
  key.scope = std::vector<std::string>{"Viewer"};
  key.previous_secret_hash = std::string(32, '\x01');
  key.previous_secret_ends_at_ms = 1'700'000'600'000;
  const std::string encoded = codec::EncodeCredential(key);
  const std::pair<const char*, json::value> bad[] = {
      {"expiresAt", "2027-01-01T00:00:00Z"},
      {"expiresAt", 1.5},
      {"scope", "Viewer"},
      {"scope", json::array{1}},
      {"previousSecretHmac", "0g"},
      {"previousSecretHmac", 12},
      {"previousSecretEndsAt", "soon"},
  };
  for (const auto& [member, value] : bad) {
    INFO(member << " = " << json::serialize(value));
    CHECK_FALSE(codec::DecodeCredential(Edited(encoded, [&](json::object& o) { o[member] = value; })).has_value());
  }
}

TEST_CASE("usage codec round-trips every member, absent times included", "[store]") {
  keymint::CredentialUsage usage;
  usage.id = "c1";
  usage.total_tokens = 7;
  usage.days = {{20000, 3}, {20001, 4}};
  usage.last_used_ms = 1'728'000'123'456;
  usage.last_source = "127.0.0.1";
  usage.last_user_agent = "curl/8.0";
  usage.last_failed_ms = 1'728'000'000'000;
  auto decoded = codec::DecodeUsage(codec::EncodeUsage(usage));
  REQUIRE(decoded);
  CHECK(*decoded == usage);
  usage.last_used_ms.reset();
  usage.last_failed_ms.reset();
  usage.days.clear();
  decoded = codec::DecodeUsage(codec::EncodeUsage(usage));
  REQUIRE(decoded);
  CHECK(*decoded == usage);
  CHECK_FALSE(codec::DecodeUsage(R"({"id":"c1","days":[[1,-2]],"source":"","userAgent":""})"));
  CHECK_FALSE(codec::DecodeUsage(R"({"id":"c1","days":[[1]],"source":"","userAgent":""})"));
  CHECK_FALSE(codec::DecodeUsage("not json"));
}
