#include "token_forms.hpp"

#include <boost/json.hpp>

#include "fixtures.hpp"

namespace keymint::testing {

const char* Describe(TokenForm form) {
  switch (form) {
    case TokenForm::kV1ClientCredentials:
      return "v1 client_credentials";
    case TokenForm::kV1AppToken:
      return "v1 app_token";
    case TokenForm::kV2Basic:
      return "v2 client_secret_basic";
    case TokenForm::kV2Post:
      return "v2 client_secret_post";
  }
  return "?";
}

HttpResponse ExchangeAs(TokenForm form, uint16_t port, const std::string& client_id, const std::string& secret) {
  switch (form) {
    case TokenForm::kV1ClientCredentials:
      return ClientCredentialsExchange(port, client_id, secret);
    case TokenForm::kV1AppToken:
      return PostJson(port, "/api/v1/token",
                      boost::json::object{{"grantType", "app_token"}, {"appID", client_id}, {"appSecret", secret}});
    case TokenForm::kV2Basic:
      return PostForm(port, "/api/v2/token", "grant_type=client_credentials",
                      {{"Authorization", "Basic " + Base64Encode(FormEncode(client_id) + ":" + FormEncode(secret))}});
    case TokenForm::kV2Post:
      return PostForm(
          port, "/api/v2/token",
          "grant_type=client_credentials&client_id=" + FormEncode(client_id) + "&client_secret=" + FormEncode(secret));
  }
  return {};
}

std::string Observable(const HttpResponse& response) {
  std::string out = std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) {
    if (name == "date" || name == "x-request-id") continue;
    out += name + ": " + value + "\n";
  }
  return out + "\n" + response.body;
}

}  // namespace keymint::testing
