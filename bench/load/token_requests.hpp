// The bytes of each token request, built once before the run: the measured
// loop only writes prepared buffers, so the client spends its time on I/O,
// not on formatting.
#pragma once

#include <string>
#include <vector>

#include "load/credentials.hpp"
#include "load/options.hpp"

namespace keymint::load {

// One complete HTTP/1.1 request (keep-alive) per credential, in order.
std::vector<std::string> BuildTokenRequests(const Options& options, const std::vector<Credential>& credentials);

// The member a 200 answer must carry for the exchange to count: "accessToken"
// (v1) or RFC 6749's "access_token".
std::string_view TokenMember(Mode mode);

}  // namespace keymint::load
