// API.md §3: an unknown client ID, a wrong secret and a disabled service
// account must be indistinguishable at both token endpoints, under every way
// of presenting credentials. Compared here byte for byte (status, headers
// apart from Date and X-Request-Id, body); their timing is measured in
// bench/failure_timing.sh, not asserted.
#include <catch2/catch.hpp>
#include <string>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"
#include "support/token_forms.hpp"

namespace keymint::testing {

TEST_CASE("an unknown client ID, a wrong secret and a disabled service account get identical answers",
          "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "known");

  const HttpResponse created = PostJson(port, kServiceAccountsPath, ServiceAccountBody("switched-off"), admin);
  REQUIRE(created.status == 201);
  const std::string account_id = StringField(AsObject(created.Json()), "id");
  const std::string account_client_id = StringField(AsObject(created.Json()), "clientId");
  const std::string account_secret = StringField(AsObject(created.Json()), "clientSecret");
  REQUIRE(PatchJson(port, JoinPath(kServiceAccountsPath, account_id), EnabledBody(false), admin).status == 200);

  // A client ID of the real shape (24 base64url characters) that names nothing.
  const std::string unknown_client_id = "AAAAAAAAAAAAAAAAAAAAAAAA";
  for (TokenForm form : kAllTokenForms) {
    INFO(Describe(form));
    const HttpResponse unknown = ExchangeAs(form, port, unknown_client_id, key.client_secret);
    const HttpResponse wrong = ExchangeAs(form, port, key.client_id, account_secret);
    const HttpResponse disabled = ExchangeAs(form, port, account_client_id, account_secret);
    CHECK(wrong.status == 401);
    CHECK(Observable(unknown) == Observable(wrong));
    CHECK(Observable(disabled) == Observable(wrong));
    // And the answers do not drift from one request to the next.
    CHECK(Observable(ExchangeAs(form, port, key.client_id, account_secret)) == Observable(wrong));
  }
  // The key itself is fine: the failures above are about the credentials alone.
  CheckKeyMints(port, key.client_id, key.client_secret);
}

}  // namespace keymint::testing
