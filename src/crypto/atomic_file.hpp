// Creating a small secret file (a signing key, the server key for client
// secrets) so that a crash at any moment leaves either the complete file or no
// file under its name, and an existing file is never replaced.
//
// The contents are written to a temporary file in the same directory, named
// `.<name>.<16 hex digits>.keymint-tmp` (a dot file, so key loaders that skip
// dot files, as the key ring does, never see it), synced, given the real name
// with renameat2(RENAME_NOREPLACE) (or link(2) where the file system lacks that
// flag), and the directory is synced. While it writes, the creator holds an
// flock on its temporary file; a temporary whose lock is free was left by a
// creator that died, and the next CreateFileAtomically in that directory
// removes it. Safe to call from several processes at once: for one path,
// exactly one caller creates the file and the others are told it exists.
#pragma once

#include <string>
#include <string_view>

#include "keymint/common/result.hpp"

namespace keymint::crypto {

enum class NewFile {
  kCreated,        // `path` now holds the contents given
  kAlreadyExists,  // `path` existed (possibly created by a concurrent caller) and was left as it is
};

// Creates `path` holding exactly `contents` with mode 0600, durably (file and
// directory synced before returning kCreated), unless `path` already exists.
// Removes stale temporaries of earlier crashed calls in the same directory
// first. Errors name `path`; a failed call leaves no temporary behind, and
// leaves a file under `path` only when the last step, syncing the directory,
// failed (the file is then complete).
Result<NewFile> CreateFileAtomically(const std::string& path, std::string_view contents);

// Writes `path` to hold exactly `contents` (mode 0600) in the same crash-safe
// way, replacing the file if it exists: after a crash `path` holds the old or
// the new contents. For a small state file with one writer at a time.
Status ReplaceFileAtomically(const std::string& path, std::string_view contents);

// True for the names CreateFileAtomically gives its temporary files.
bool IsAtomicFileTemporary(std::string_view file_name);

}  // namespace keymint::crypto
