// The four ways a client presents its credentials at the token endpoints
// (API.md §3), so that a test can try one exchange under each of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http_client.hpp"

namespace keymint::testing {

enum class TokenForm {
  kV1ClientCredentials,  // POST /api/v1/token {"grantType":"client_credentials","clientId","clientSecret"}
  kV1AppToken,           // POST /api/v1/token {"grantType":"app_token","appID","appSecret"}
  kV2Basic,              // POST /api/v2/token, client_secret_basic
  kV2Post,               // POST /api/v2/token, client_secret_post
};

inline const std::vector<TokenForm> kAllTokenForms = {TokenForm::kV1ClientCredentials, TokenForm::kV1AppToken,
                                                      TokenForm::kV2Basic, TokenForm::kV2Post};

const char* Describe(TokenForm form);

// One client-credentials exchange in `form`; the raw answer, nothing checked.
HttpResponse ExchangeAs(TokenForm form, uint16_t port, const std::string& client_id, const std::string& secret);

// What a client can observe of an answer, minus what legitimately differs
// between any two answers (Date, X-Request-Id): the status, every other header
// and the body, as one printable string, so that two answers can be compared
// byte for byte with one CHECK.
std::string Observable(const HttpResponse& response);

}  // namespace keymint::testing
