// What the key ring needs of the keys directory when several processes (the
// replicas behind one load balancer) mount the same one: the key files in it,
// a lock that makes their changes take turns, and a cheap way to tell that
// something changed since the ring last looked.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"

namespace keymint::crypto {

// A key file's name: `*.pem` directly in the directory, not a dot file (a
// shell glob skips those too: editor backups, Kubernetes secret-volume
// internals, atomic_file.hpp's temporaries).
bool IsKeyFileName(std::string_view name);

// The key file names in `dir`, sorted.
Result<std::vector<std::string>> ListKeyFiles(const std::string& dir);

// Held while a process changes the keys directory (writes a key file, the
// state file, or removes a key that left): an exclusive flock(2) on
// `.signing-keys.lock` in it, so that two replicas never both read the state
// file, change it and write it back, losing one change. The lock goes away
// with its holder (closed or crashed), so a dead replica never blocks the
// others. flock locks belong to an open file, so two rings in one process
// exclude each other as two processes do.
class KeyDirectoryWriteLock {
 public:
  // Blocks until the lock is held. On a directory where the lock file cannot
  // be created (a read-only mount) nothing can be written either: the lock is
  // then not held (held() false) and the caller's writes fail as they would.
  static Result<KeyDirectoryWriteLock> Acquire(const std::string& dir);
  KeyDirectoryWriteLock(KeyDirectoryWriteLock&& other) noexcept;
  KeyDirectoryWriteLock& operator=(KeyDirectoryWriteLock&&) = delete;
  ~KeyDirectoryWriteLock();

  bool held() const { return fd_ >= 0; }

 private:
  explicit KeyDirectoryWriteLock(int fd) : fd_(fd) {}
  int fd_;
};

// What a replica compares to learn, without reading anything, whether
// another one changed the directory: the state file's identity and times
// (it is replaced by rename, so every write gives it a new inode) and the
// key file names.
struct KeyDirectoryFingerprint {
  bool state_file_exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;
  std::vector<std::string> key_files;

  bool operator==(const KeyDirectoryFingerprint&) const = default;
};

// Takes it: one stat(2) and one directory listing. Take it *before* reading
// the state file, so that a write in between shows as a change next time.
Result<KeyDirectoryFingerprint> FingerprintKeyDirectory(const std::string& dir, const std::string& state_file);

}  // namespace keymint::crypto
