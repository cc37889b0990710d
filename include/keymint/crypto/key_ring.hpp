// The signing keys in the keys directory.
//
// Every `*.pem` file in the directory is loaded, whatever its type (RSA, EC on
// P-256, Ed25519: see SigningKeyFromPem); all of them are published in the
// JWKS (tokens signed by any of them may still be in circulation) and any of
// them verifies a bearer token whose "alg" is its key's algorithm.
//
// The *active* key, which signs new tokens, is the file whose name sorts last
// among the keys of the configured algorithm (`signing.algorithm`, RS256 by
// default). When the directory holds no key of that algorithm, Open generates
// one (RSA-2048, P-256 or Ed25519) next to whatever is there. Keys of other
// algorithms stay published and keep verifying until their files are removed,
// so switching algorithms is: set the new one and restart (its key is
// generated, or put one there first), then delete the old files once their
// tokens have expired. Rotation within one algorithm is: add a newer file,
// restart, delete the old one later.
//
// Generated files are named `signing-<UTC yyyymmddThhmmss>.pem` and written
// with mode 0600, crash safe: the name appears only once the whole file is on
// disk (a temporary dot file left by a crash is never loaded). Immutable
// after Open: thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace keymint::crypto {

class KeyRing final : public KeyLookup {
 public:
  // Loads the keys in `dir`, creating the directory (0700) and a key of
  // `algorithm` when it holds none of that algorithm. Processes opening one
  // directory at once (threads too) generate one such key between them and
  // all load it. Fails (naming the file) on an unreadable, invalid or
  // unsupported key, or the same key in two files.
  static Result<KeyRing> Open(const std::string& dir, SigningAlgorithm algorithm = SigningAlgorithm::kRs256);

  // The key that signs new tokens; always of the algorithm given to Open.
  const SigningKey& active() const { return *keys_[active_]; }
  // `EncodedJwtHeader(active())`, computed once.
  const std::string& active_header() const { return active_header_; }
  const SigningKey* FindByKid(std::string_view kid) const override;
  // {"keys":[<public_jwk() of every key, in file order>]}; with only RSA keys
  // {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":..,"n":..,"e":..},...]}.
  const std::string& jwks_json() const { return jwks_json_; }
  // The algorithms of the published keys, each once: the active key's first,
  // then the others in file order. A token that verifies is signed with one
  // of them.
  const std::vector<SigningAlgorithm>& algorithms() const { return algorithms_; }
  // True when Open generated the active key (first start, or the first start
  // with a new algorithm).
  bool generated() const { return generated_; }

 private:
  std::vector<std::unique_ptr<const SigningKey>> keys_;  // sorted by file name; never empty after Open
  std::size_t active_ = 0;
  std::string active_header_;
  std::string jwks_json_;
  std::vector<SigningAlgorithm> algorithms_;
  bool generated_ = false;
};

}  // namespace keymint::crypto
