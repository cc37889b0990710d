// The signing keys in the keys directory.
//
// Every `*.pem` file in the directory is loaded; all of them are published in
// the JWKS (tokens signed by any of them may still be in circulation) and any
// of them verifies a bearer token. The *active* key, which signs new tokens,
// is the file whose name sorts last, so rotation is: add a newer file, restart,
// and delete the old file once its tokens have expired. Generated files are
// named `signing-<UTC yyyymmddThhmmss>.pem` and written with mode 0600, crash
// safe: the name appears only once the whole file is on disk (a temporary dot
// file left by a crash is never loaded). Immutable after Open: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/rsa_key.hpp"

namespace keymint::crypto {

class KeyRing final : public KeyLookup {
 public:
  // Loads the keys in `dir`, creating the directory (0700) and an RSA-2048 key
  // when it holds none. Processes opening one empty directory at once (threads
  // too) generate one key between them and all load it. Fails (naming the
  // file) on an unreadable or invalid key.
  static Result<KeyRing> Open(const std::string& dir);

  const RsaKey& active() const { return keys_.back(); }
  // `EncodedJwtHeader(active())`, computed once.
  const std::string& active_header() const { return active_header_; }
  const RsaKey* FindByKid(std::string_view kid) const override;
  // {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":..,"n":..,"e":..},...]}
  const std::string& jwks_json() const { return jwks_json_; }
  // True when Open generated the active key (first start).
  bool generated() const { return generated_; }

 private:
  std::vector<RsaKey> keys_;  // sorted by file name; never empty after Open
  std::string active_header_;
  std::string jwks_json_;
  bool generated_ = false;
};

}  // namespace keymint::crypto
