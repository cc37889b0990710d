#include "crypto/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "unit/test_support/files.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace fs = std::filesystem;
using keymint::crypto::CreateFileAtomically;
using keymint::crypto::IsAtomicFileTemporary;
using keymint::crypto::NewFile;
using keymint::crypto::ReplaceFileAtomically;
using keymint::testing::LeaveTemporary;
using keymint::testing::ModeOf;
using keymint::testing::Names;
using keymint::testing::ReadAll;
using keymint::testing::TempDir;
using keymint::testing::WriteFile;

TEST_CASE("CreateFileAtomically writes the exact contents with mode 0600 and no temporary left", "[crypto]") {
  TempDir dir("atomic");
  const mode_t old_umask = ::umask(0);  // even a permissive umask gives 0600
  auto created = CreateFileAtomically(dir.Sub("secret"), std::string("abc\0def", 7));
  ::umask(old_umask);
  REQUIRE(created.ok());
  CHECK(*created == NewFile::kCreated);
  CHECK(ReadAll(dir.Sub("secret")) == std::string("abc\0def", 7));
  CHECK(ModeOf(dir.Sub("secret")) == 0600);
  CHECK(Names(dir.path()) == std::vector<std::string>{"secret"});
}

TEST_CASE("CreateFileAtomically never replaces an existing file", "[crypto]") {
  TempDir dir("atomic");
  WriteFile(dir.Sub("secret"), "first");
  ::chmod(dir.Sub("secret").c_str(), 0640);
  auto created = CreateFileAtomically(dir.Sub("secret"), "second");
  REQUIRE(created.ok());
  CHECK(*created == NewFile::kAlreadyExists);
  CHECK(ReadAll(dir.Sub("secret")) == "first");
  CHECK(ModeOf(dir.Sub("secret")) == 0640);
  CHECK(Names(dir.path()) == std::vector<std::string>{"secret"});
}

TEST_CASE("an empty file is created too", "[crypto]") {
  TempDir dir("atomic");
  auto created = CreateFileAtomically(dir.Sub("empty"), "");
  REQUIRE(created.ok());
  CHECK(*created == NewFile::kCreated);
  CHECK(fs::file_size(dir.Sub("empty")) == 0);
}

TEST_CASE("of many threads creating one file, exactly one wins and the file holds its contents", "[crypto]") {
  TempDir dir("atomic");
  constexpr int kThreads = 8;
  std::vector<keymint::Result<NewFile>> results(kThreads, keymint::Error::Internal("not run"));
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = CreateFileAtomically(dir.Sub("secret"), "contents of " + std::to_string(i));
    });
  }
  for (auto& thread : threads) thread.join();
  int winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    REQUIRE(results[i].ok());
    if (*results[i] == NewFile::kCreated) {
      CHECK(winner == -1);
      winner = i;
    }
  }
  REQUIRE(winner >= 0);
  CHECK(ReadAll(dir.Sub("secret")) == "contents of " + std::to_string(winner));
  CHECK(Names(dir.path()) == std::vector<std::string>{"secret"});
}

TEST_CASE("a temporary abandoned by a crashed creator is removed; one still locked is left alone", "[crypto]") {
  TempDir dir("atomic");
  const std::string abandoned = LeaveTemporary(dir, "secret", "half a ke");
  const std::string in_use = dir.Sub(".other.fedcba9876543210.keymint-tmp");
  WriteFile(in_use, "being written");
  const int fd = ::open(in_use.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);  // a live creator holds its temporary's lock

  auto created = CreateFileAtomically(dir.Sub("secret"), "whole key");
  ::close(fd);
  REQUIRE(created.ok());
  CHECK(*created == NewFile::kCreated);
  CHECK(ReadAll(dir.Sub("secret")) == "whole key");
  CHECK_FALSE(fs::exists(abandoned));
  CHECK(fs::exists(in_use));
}

TEST_CASE("only dot files with the temporary suffix count as temporaries", "[crypto]") {
  CHECK(IsAtomicFileTemporary(".secret-hash.key.0123456789abcdef.keymint-tmp"));
  CHECK(IsAtomicFileTemporary(".signing-20261128T101010.pem.0123456789abcdef.keymint-tmp"));
  CHECK_FALSE(IsAtomicFileTemporary("secret.keymint-tmp"));
  CHECK_FALSE(IsAtomicFileTemporary(".keymint-tmp"));
  CHECK_FALSE(IsAtomicFileTemporary(".secret.keymint-tmp.bak"));
  CHECK_FALSE(IsAtomicFileTemporary("..data"));
  CHECK_FALSE(IsAtomicFileTemporary("signing.pem"));
}

TEST_CASE("CreateFileAtomically names the file when its directory does not exist", "[crypto]") {
  TempDir dir("atomic");
  auto created = CreateFileAtomically(dir.Sub("missing/secret"), "x");
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().message.find(dir.Sub("missing/secret")) != std::string::npos);
}

TEST_CASE("ReplaceFileAtomically replaces the contents, sets mode 0600 and leaves no temporary", "[crypto]") {
  TempDir dir("atomic");
  WriteFile(dir.Sub("state.json"), "old contents, longer than the new");
  ::chmod(dir.Sub("state.json").c_str(), 0644);
  REQUIRE(ReplaceFileAtomically(dir.Sub("state.json"), "new").ok());
  CHECK(ReadAll(dir.Sub("state.json")) == "new");
  CHECK(ModeOf(dir.Sub("state.json")) == 0600);
  CHECK(Names(dir.path()) == std::vector<std::string>{"state.json"});
}

TEST_CASE("ReplaceFileAtomically creates a missing file and removes abandoned temporaries", "[crypto]") {
  TempDir dir("atomic");
  LeaveTemporary(dir, "state.json", "abandoned");
  REQUIRE(ReplaceFileAtomically(dir.Sub("state.json"), "first").ok());
  CHECK(ReadAll(dir.Sub("state.json")) == "first");
  CHECK(Names(dir.path()) == std::vector<std::string>{"state.json"});
}

TEST_CASE("ReplaceFileAtomically refuses a path that names no file and names a missing directory", "[crypto]") {
  TempDir dir("atomic");
  for (const std::string& path : {dir.Sub("."), dir.Sub(".."), dir.path() + "/"}) {
    const auto replaced = ReplaceFileAtomically(path, "x");
    REQUIRE_FALSE(replaced.ok());
    CHECK(replaced.error().message.find("not a file path") != std::string::npos);
  }
  const auto replaced = ReplaceFileAtomically(dir.Sub("missing/state.json"), "x");
  REQUIRE_FALSE(replaced.ok());
  CHECK(replaced.error().message.find(dir.Sub("missing/state.json")) != std::string::npos);
}
