// The signing keys in the keys directory, and their rotation.
//
// Every `*.pem` file in the directory is loaded, whatever its type (RSA, EC on
// P-256, Ed25519: see SigningKeyFromPem); all of them are published in the
// JWKS (tokens signed by any of them may still be in circulation) and any of
// them verifies a bearer token whose "alg" is its key's algorithm.
//
// Each key has a state (key_states.hpp: next, active, retired) recorded with
// its times in `signing-keys.json` in the same directory (no key material in
// it; replaced atomically). Exactly one key, always of the configured
// algorithm (`signing.algorithm`, RS256 by default), is *active* and signs new
// tokens. Rotate() generates a key of that algorithm as *next*; it becomes
// active after the publish delay and the key it replaces is *retired*: it
// stays published until every token it signed has expired, then leaves the
// ring and its file is removed. Rescan() adopts a key file put in the
// directory (SIGHUP) the same way. At Open, a key whose file was added while
// keymint was down is adopted likewise, and transitions due meanwhile happen.
// Without a recorded state (the first start of this version) the active key
// is the file whose name sorts last among the keys of the configured
// algorithm, as before; other keys are retired then. With no key of that
// algorithm Open generates one (RSA-2048, P-256 or Ed25519).
//
// Generated files are named `signing-<UTC yyyymmddThhmmss>[-<hex>].pem` and
// written with mode 0600, crash safe: the name appears only once the whole
// file is on disk (a temporary dot file left by a crash is never loaded).
//
// Shared directory: several processes (replicas behind a load balancer) may
// open the same directory. Once it exists the state file is the one record
// they all follow: Refresh() takes in what another process recorded, so that
// every replica publishes the same keys, states, times and active key, and a
// byte-identical JWKS (keys in file-name order). Every change (Rotate,
// Rescan, Advance, Open) re-reads the state file and writes it back under an
// exclusive flock on `.signing-keys.lock` in the directory, so concurrent
// changes on two replicas are both kept; the transitions are functions of the
// recorded times, so two replicas applying the same one agree and the second
// finds nothing left to do. The file system must support flock(2) across its
// clients (a local disk; NFSv4 and most network volumes do).
//
// Thread-safety: the key set is published as an immutable snapshot (KeySet)
// behind an atomic pointer, so reading it (the token path, verification, the
// JWKS) takes no lock. Snapshots are kept until the ring is destroyed, so a
// reference obtained from one stays valid; each change costs a few KB.
// Rotate, Rescan, Advance and Refresh serialize among themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/key_states.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace keymint::crypto {

struct KeyRingOptions {
  const Clock* clock = nullptr;       // null: the system clock
  int64_t publish_delay_seconds = 0;  // next -> active
  int64_t token_ttl_seconds = 3600;   // a retired key leaves this long (plus 1 s of leeway) after retiring
};

// One immutable view of the ring: what signs, what verifies, what is published.
class KeySet {
 public:
  const SigningKey& active() const { return *keys_[active_]; }
  // `EncodedJwtHeader(active())`, computed once.
  const std::string& active_header() const { return active_header_; }
  const SigningKey* FindByKid(std::string_view kid) const;
  // {"keys":[<public_jwk() of every key, in file order>]}: the same bytes on
  // every replica that holds the same entries.
  const std::string& jwks_json() const { return jwks_json_; }
  // The algorithms of the published keys, each once, the active key's first.
  const std::vector<SigningAlgorithm>& algorithms() const { return algorithms_; }
  // Every key's state, in file order (matching the loaded keys).
  const std::vector<KeyEntry>& entries() const { return entries_; }

 private:
  friend class KeyRing;
  std::vector<std::shared_ptr<const SigningKey>> keys_;  // parallel to entries_
  std::vector<KeyEntry> entries_;
  std::size_t active_ = 0;
  std::string active_header_;
  std::string jwks_json_;
  std::vector<SigningAlgorithm> algorithms_;
};

// What Rescan did: the key files it adopted as next, and one message per
// file it refused (unreadable, not a key, another algorithm, a duplicate).
struct RescanResult {
  std::vector<KeyEntry> adopted;
  std::vector<std::string> refused;
};

class KeyRing final : public KeyLookup {
 public:
  // Loads the keys in `dir`, creating the directory (0700) and a key of
  // `algorithm` when it holds none of that algorithm, and applies the
  // recorded states (see above). Processes opening one directory at once
  // (threads too) generate one such key between them and all load it. Fails
  // (naming the file) on an unreadable, invalid or unsupported key, the same
  // key in two files, or an unreadable state file. A state file that cannot
  // be written (a read-only secret mount) is not an error: see persist_warning().
  static Result<KeyRing> Open(const std::string& dir, SigningAlgorithm algorithm = SigningAlgorithm::kRs256,
                              KeyRingOptions options = {});

  KeyRing(KeyRing&&) noexcept;
  KeyRing& operator=(KeyRing&&) noexcept;
  ~KeyRing() override;

  // The current snapshot: lock-free. Take it once per operation (a token's
  // header and signature must come from the same snapshot).
  const KeySet& current() const;

  // Shorthands for current().
  const SigningKey& active() const { return current().active(); }
  const std::string& active_header() const { return current().active_header(); }
  const SigningKey* FindByKid(std::string_view kid) const override { return current().FindByKid(kid); }
  const std::string& jwks_json() const { return current().jwks_json(); }
  const std::vector<SigningAlgorithm>& algorithms() const { return current().algorithms(); }

  // True when Open generated the active key (first start, or the first start
  // with a new algorithm).
  bool generated() const { return generated_; }
  // Why Open could not record the states, "" when it could.
  const std::string& persist_warning() const { return persist_warning_; }
  int64_t publish_delay_seconds() const;

  // Generates a key of the ring's algorithm, writes it to the directory,
  // records it and publishes it as next (active at once with no publish
  // delay), after what other processes recorded. Returns its entry.
  Result<KeyEntry> Rotate();
  // Takes in what other processes recorded, then adopts every *.pem file in
  // the directory that is still not recorded, as Rotate adopts a generated
  // one; refuses (and leaves out) files that are not a valid key of the
  // ring's algorithm. Files removed from the directory are ignored (their
  // keys leave when they retire).
  Result<RescanResult> Rescan();
  // Applies the transitions due now (key_states.hpp Advance), removing the
  // files of keys that left. Cheap when nothing is due.
  Status Advance();
  // Takes in the changes other processes recorded in the directory since
  // this ring last looked (see "Shared directory"): reads the state file and
  // the key files it names, and publishes them as the new snapshot. True when
  // it published one. Cheap when nothing changed (one stat(2) of the state
  // file and one listing of the directory; no snapshot is published). Only
  // reads, so it works on a read-only mount; without a state file the states
  // in memory stand. A key file without a record is left to the process that
  // wrote it (Rescan adopts it). On failure (an unreadable file, a file that
  // does not hold the key its record names) the current snapshot stays.
  Result<bool> Refresh();
  // When Advance next has something to do (Unix ms); nullopt when nothing is scheduled.
  std::optional<int64_t> NextChange() const;

 private:
  struct State;
  KeyRing();
  std::unique_ptr<State> state_;
  bool generated_ = false;
  std::string persist_warning_;
};

}  // namespace keymint::crypto
