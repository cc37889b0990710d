#include "keymint/crypto/key_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
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
using keymint::ErrorCode;
using keymint::Status;
using keymint::crypto::CopySecretFile;
using keymint::crypto::LoadOrCreateSecretFile;
using keymint::testing::LeaveTemporary;
using keymint::testing::ModeOf;
using keymint::testing::Names;
using keymint::testing::ReadAll;
using keymint::testing::TempDir;
using keymint::testing::WriteFile;

TEST_CASE("LoadOrCreateSecretFile creates a 0600 file of the requested size, then loads the same bytes", "[crypto]") {
  TempDir dir("keyfile");
  auto first = LoadOrCreateSecretFile(dir.Sub("secret-hash.key"), 32);
  REQUIRE(first.ok());
  CHECK(first->size() == 32);
  CHECK(ModeOf(dir.Sub("secret-hash.key")) == 0600);
  CHECK(ReadAll(dir.Sub("secret-hash.key")) == *first);
  auto second = LoadOrCreateSecretFile(dir.Sub("secret-hash.key"), 32);
  REQUIRE(second.ok());
  CHECK(*second == *first);
  CHECK(Names(dir.path()) == std::vector<std::string>{"secret-hash.key"});
}

TEST_CASE("LoadOrCreateSecretFile ignores a partial temporary left by a crash and starts cleanly", "[crypto]") {
  TempDir dir("keyfile");
  const std::string leftover = LeaveTemporary(dir, "secret-hash.key", std::string(7, 'x'));
  auto secret = LoadOrCreateSecretFile(dir.Sub("secret-hash.key"), 32);
  REQUIRE(secret.ok());
  CHECK(secret->size() == 32);
  CHECK(*secret != std::string(32, 'x'));
  CHECK(ReadAll(dir.Sub("secret-hash.key")) == *secret);
  CHECK_FALSE(fs::exists(leftover));
}

TEST_CASE("LoadOrCreateSecretFile refuses a file of the wrong size, naming it, and leaves it alone", "[crypto]") {
  TempDir dir("keyfile");
  WriteFile(dir.Sub("secret-hash.key"), "short");
  auto secret = LoadOrCreateSecretFile(dir.Sub("secret-hash.key"), 32);
  REQUIRE_FALSE(secret.ok());
  CHECK(secret.error().message.find(dir.Sub("secret-hash.key")) != std::string::npos);
  CHECK(secret.error().message.find("found 5") != std::string::npos);
  CHECK(ReadAll(dir.Sub("secret-hash.key")) == "short");
}

TEST_CASE("threads racing to create the secret file all get the winner's bytes", "[crypto]") {
  TempDir dir("keyfile");
  constexpr int kThreads = 8;
  std::vector<std::string> secrets(kThreads);
  std::atomic<int> failures{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto secret = LoadOrCreateSecretFile(dir.Sub("secret-hash.key"), 32);
      if (secret.ok()) {
        secrets[i] = *secret;
      } else {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(failures == 0);
  for (const std::string& secret : secrets) CHECK(secret == secrets[0]);
  CHECK(ReadAll(dir.Sub("secret-hash.key")) == secrets[0]);
}

TEST_CASE("CopySecretFile puts the same bytes at the destination, mode 0600", "[crypto]") {
  TempDir dir("keyfile");
  auto secret = LoadOrCreateSecretFile(dir.Sub("from.key"), 32);
  REQUIRE(secret.ok());
  REQUIRE(CopySecretFile(dir.Sub("from.key"), dir.Sub("to.key"), 32).ok());
  CHECK(ReadAll(dir.Sub("to.key")) == *secret);
  CHECK(ModeOf(dir.Sub("to.key")) == 0600);
  // Again, onto the same bytes: nothing to do.
  CHECK(CopySecretFile(dir.Sub("from.key"), dir.Sub("to.key"), 32).ok());
}

TEST_CASE("CopySecretFile refuses to replace another secret and leaves it", "[crypto]") {
  TempDir dir("keyfile");
  REQUIRE(LoadOrCreateSecretFile(dir.Sub("from.key"), 32).ok());
  auto other = LoadOrCreateSecretFile(dir.Sub("to.key"), 32);
  REQUIRE(other.ok());
  Status copied = CopySecretFile(dir.Sub("from.key"), dir.Sub("to.key"), 32);
  REQUIRE_FALSE(copied.ok());
  CHECK(copied.error().code == ErrorCode::kAlreadyExists);
  CHECK(copied.error().message.find(dir.Sub("to.key")) != std::string::npos);
  CHECK(ReadAll(dir.Sub("to.key")) == *other);
}

TEST_CASE("CopySecretFile of a missing or short file fails and creates nothing", "[crypto]") {
  TempDir dir("keyfile");
  Status missing = CopySecretFile(dir.Sub("absent.key"), dir.Sub("to.key"), 32);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  {
    std::ofstream out(dir.Sub("short.key"), std::ios::binary);
    out << "short";
  }
  Status short_file = CopySecretFile(dir.Sub("short.key"), dir.Sub("to.key"), 32);
  REQUIRE_FALSE(short_file.ok());
  CHECK(short_file.error().code == ErrorCode::kUnavailable);
  CHECK_FALSE(std::filesystem::exists(dir.Sub("to.key")));
}
