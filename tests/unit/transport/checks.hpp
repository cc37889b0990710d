// Checks shared by the transport tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "unit/transport/test_client.hpp"

namespace keymint::transport::testing {

// How the transport refuses a request: the Error shape with `status`, no
// keep-alive, and the connection closed afterwards.
inline void CheckRefusedAndClosed(TestClient& client, const ClientResponse& response, int status) {
  CHECK(response.status == status);
  CHECK(response.body.find("\"code\":" + std::to_string(status)) != std::string::npos);
  CHECK_FALSE(response.keep_alive);
  CHECK(client.ServerClosed());
}

}  // namespace keymint::transport::testing
