// Internal to the crypto layer: each thread's own copy of a signing key and
// the OpenSSL contexts prepared on it, so that the token path takes no lock
// and does no key setup per signature.
//
// Why a copy per thread: OpenSSL 3.0 takes an RSA object's write lock on every
// private-key operation to pick a blinding, and threads other than the
// blinding's creator then share a second, locked one. With one copy per thread
// neither lock is ever contended. EC and Ed25519 keys get the same treatment,
// so every key type signs from state no other thread touches.
#pragma once

#include <cstdint>

#include "crypto/openssl_handles.hpp"

namespace keymint::crypto::internal {

// Prepared contexts of one key on one thread, built lazily on this thread's
// copy of the key by the key type that uses them. An entry owns its copy, so
// it may safely outlive the key it came from.
struct ThreadContexts {
  std::uint64_t key_id = 0;
  PkeyPtr key;  // this thread's copy of the key
  // RSA and ECDSA: EVP_PKEY_sign / EVP_PKEY_verify over a SHA-256 digest.
  PkeyCtxPtr sign;
  PkeyCtxPtr verify;
  // Ed25519: EVP_DigestSign / EVP_DigestVerify over the message itself.
  MdCtxPtr digest_sign;
  MdCtxPtr digest_verify;
};

// A fresh identity for a key. Unlike a key's address, never reused by a later
// key, so a thread's cached contexts can never be mistaken for another key's.
std::uint64_t NewKeyId();

// This thread's entry for the key `key_id` (whose shared EVP_PKEY is
// `shared_key`), created with a copy of the key on first use; nullptr only if
// OpenSSL cannot copy the key (out of memory). The pointer is valid until
// this thread's next call. A thread keeps entries for a handful of keys; the
// oldest is dropped beyond that.
ThreadContexts* ContextsFor(std::uint64_t key_id, EVP_PKEY* shared_key);

}  // namespace keymint::crypto::internal
