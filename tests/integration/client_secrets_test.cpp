// The kmsec_ client-secret format over HTTP: every path that issues a secret
// issues one in the format, it mints everywhere, and a kmsec_ secret that is
// not well formed is refused exactly as a wrong secret is. (That secrets of
// the earlier, unprefixed format keep working is tested at the service layer,
// which can store one: tests/unit/service/token_service_test.cpp.)
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <vector>

#include "keymint/crypto/client_secret.hpp"
#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/token_forms.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

// The secret member of a 200/201 answer.
std::string SecretFrom(const HttpResponse& response, int status, const std::string& member) {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == status);
  return StringField(AsObject(response.Json()), member);
}

struct Issued {
  std::string path, client_id, secret;
};

// Creates a credential on `collection` and regenerates its secret; returns
// both secrets with the client ID.
std::vector<Issued> CreateAndRegenerate(uint16_t port, const std::string& token, const std::string& collection,
                                        const std::string& create_member, const std::string& regenerate_member,
                                        const std::string& name) {
  const HttpResponse created = PostJson(port, collection, NameBody(name), token);
  const std::string first = SecretFrom(created, 201, create_member);
  const json::object record = AsObject(created.Json());
  const std::string id = StringField(record, "id");
  const std::string client_id = StringField(record, "clientId");
  const std::string second =
      SecretFrom(PostJson(port, JoinPath(collection, id) + "/secret", json::object{}, token), 200, regenerate_member);
  return {{"create on " + collection, client_id, first}, {"regenerate on " + collection, client_id, second}};
}

}  // namespace

TEST_CASE("every path that issues a client secret issues a kmsec_ secret, and it mints at every token form",
          "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const std::regex format("kmsec_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}");

  std::vector<Issued> issued;
  for (const auto& batch : {
           CreateAndRegenerate(port, admin, "/api/v1/access-keys", "clientSecret", "clientSecret", "key-one"),
           CreateAndRegenerate(port, admin, "/api/v1/user-applications", "secret", "clientSecret", "app-one"),
           CreateAndRegenerate(port, admin, "/api/v1/service-accounts", "clientSecret", "clientSecret", "robot-one"),
           CreateAndRegenerate(port, admin, "/api/v1/apps", "secret", "secret", "robot-two"),
       }) {
    issued.insert(issued.end(), batch.begin(), batch.end());
  }
  for (std::size_t i = 0; i < issued.size(); ++i) {
    const Issued& one = issued[i];
    INFO(one.path << ": " << one.secret);
    CHECK(std::regex_match(one.secret, format));
    CHECK(crypto::IsWellFormedClientSecret(one.secret));
    const bool replaced = i % 2 == 0;  // the create's secret was replaced by the regenerate that followed
    for (TokenForm form : kAllTokenForms) {
      INFO(Describe(form));
      CHECK(ExchangeAs(form, port, one.client_id, one.secret).status == (replaced ? 401 : 200));
    }
  }
}

TEST_CASE("a kmsec_ secret with a bad checksum or length is refused exactly like a wrong secret", "[integration]") {
  // 20 failures for one client ID here: past the default burst, so that
  // throttle is off (hardening_test covers it); this is about the answers.
  KeymintProcess server(WithEnv({{"KEYMINT_THROTTLE_CLIENT_ID_PER_MINUTE", "0"}}));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "checked");
  const CreatedKey other = CreateAccessKey(port, admin, "other");
  REQUIRE(crypto::IsWellFormedClientSecret(key.client_secret));

  std::string bad_checksum = key.client_secret;  // the real random part, a changed checksum
  bad_checksum.back() = bad_checksum.back() == 'A' ? 'B' : 'A';
  std::string bad_random_part = key.client_secret;  // one random character changed, old checksum
  bad_random_part[10] = bad_random_part[10] == 'A' ? 'B' : 'A';
  const std::string too_long = key.client_secret + "A";
  const std::string too_short = key.client_secret.substr(0, key.client_secret.size() - 1);

  for (TokenForm form : kAllTokenForms) {
    INFO(Describe(form));
    // A well-formed secret that is wrong for this client: the reference answer.
    const HttpResponse wrong = ExchangeAs(form, port, key.client_id, other.client_secret);
    CHECK(wrong.status == 401);
    for (const std::string& malformed : {bad_checksum, bad_random_part, too_long, too_short}) {
      INFO("secret " << malformed);
      CHECK(Observable(ExchangeAs(form, port, key.client_id, malformed)) == Observable(wrong));
    }
    // The real secret still works: none of the above was mistaken for it.
    CHECK(ExchangeAs(form, port, key.client_id, key.client_secret).status == 200);
  }
}

}  // namespace keymint::testing
