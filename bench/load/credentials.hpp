// The client credentials a run sends: read from a "clientId,secret" file or
// made through keymint's API (keymint_admin.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"

namespace keymint::load {

struct Credential {
  std::string client_id;
  std::string secret;
  std::string record_id;  // the access key's or service account's id, when this run created it
};

// One "clientId,secret" per line (CRLF and a leading UTF-8 byte-order mark
// tolerated); blank lines, lines of spaces and lines starting with '#' are
// skipped. The secret is everything after the first comma; spaces and tabs
// around either field are dropped. Errors give the line number, never the
// line (it holds a secret).
Result<std::vector<Credential>> ParseCredentials(std::string_view text);
Result<std::vector<Credential>> ReadCredentialsFile(const std::string& path);
// The same format back, for --keep-created; written with mode 0600.
Status WriteCredentialsFile(const std::string& path, const std::vector<Credential>& credentials);

}  // namespace keymint::load
