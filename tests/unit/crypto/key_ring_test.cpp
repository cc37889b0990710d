#include "keymint/crypto/key_ring.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "keymint/crypto/encoding.hpp"
#include "unit/test_support/files.hpp"

namespace fs = std::filesystem;
using keymint::crypto::EncodedJwtHeader;
using keymint::crypto::KeyRing;
using keymint::crypto::RsaKey;
using keymint::testing::ModeOf;
using keymint::testing::WriteFile;

namespace {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/keymint-keyring-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> PemFiles(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".pem") names.push_back(entry.path().filename().string());
  }
  return names;
}

// The string held by a JSON value ("" when it holds something else).
std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string().data(), v.get_string().size()) : std::string();
}

const RsaKey& SpareKey() {
  static const RsaKey key = [] {
    auto generated = RsaKey::Generate(2048);
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

}  // namespace

TEST_CASE("opening a missing keys directory creates it 0700 with one 0600 RSA-2048 key", "[crypto]") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/keys";
  auto ring = KeyRing::Open(dir);
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  CHECK(ModeOf(dir) == 0700);

  const auto files = PemFiles(dir);
  REQUIRE(files.size() == 1);
  CHECK(std::regex_match(files[0], std::regex(R"(signing-\d{8}T\d{6}\.pem)")));
  CHECK(ModeOf(dir + "/" + files[0]) == 0600);
  CHECK(keymint::crypto::Base64UrlDecode(ring->active().n())->size() == 256);
  CHECK(ring->active_header() == EncodedJwtHeader(ring->active()));
}

TEST_CASE("an existing empty directory gets a generated key", "[crypto]") {
  TempDir tmp;
  auto ring = KeyRing::Open(tmp.path());
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  CHECK(PemFiles(tmp.path()).size() == 1);
}

TEST_CASE("reopening the keys directory loads the same key instead of generating one", "[crypto]") {
  TempDir tmp;
  std::string kid;
  {
    auto first = KeyRing::Open(tmp.path());
    REQUIRE(first.ok());
    kid = first->active().kid();
  }
  auto second = KeyRing::Open(tmp.path());
  REQUIRE(second.ok());
  CHECK_FALSE(second->generated());
  CHECK(second->active().kid() == kid);
  CHECK(PemFiles(tmp.path()).size() == 1);
  CHECK(second->FindByKid(kid) == &second->active());
}

TEST_CASE("the newest-named key becomes active and every key is published and trusted", "[crypto]") {
  TempDir tmp;
  auto first = KeyRing::Open(tmp.path());
  REQUIRE(first.ok());
  const std::string old_kid = first->active().kid();
  WriteFile(tmp.path() + "/signing-99991231T235959.pem", SpareKey().PrivatePem());

  auto ring = KeyRing::Open(tmp.path());
  REQUIRE(ring.ok());
  CHECK_FALSE(ring->generated());
  CHECK(ring->active().kid() == SpareKey().kid());
  CHECK(ring->active_header() == EncodedJwtHeader(SpareKey()));
  REQUIRE(ring->FindByKid(old_kid) != nullptr);
  CHECK(ring->FindByKid(old_kid)->kid() == old_kid);
  CHECK(ring->FindByKid(SpareKey().kid()) == &ring->active());
  CHECK(ring->FindByKid("no-such-kid") == nullptr);

  boost::system::error_code ec;
  const boost::json::value jwks = boost::json::parse(ring->jwks_json(), ec);
  REQUIRE_FALSE(ec);
  const boost::json::array& keys = jwks.at("keys").as_array();
  REQUIRE(keys.size() == 2);
  CHECK(Str(keys[0].at("kid")) == old_kid);  // file order: the older name first
  CHECK(Str(keys[1].at("kid")) == SpareKey().kid());
  const boost::json::object& newest = keys[1].as_object();
  CHECK(newest.size() == 6);
  CHECK(Str(newest.at("kty")) == "RSA");
  CHECK(Str(newest.at("use")) == "sig");
  CHECK(Str(newest.at("alg")) == "RS256");
  CHECK(Str(newest.at("n")) == SpareKey().n());
  CHECK(Str(newest.at("e")) == SpareKey().e());
}

TEST_CASE("files that are not *.pem, and hidden files, are ignored", "[crypto]") {
  TempDir tmp;
  WriteFile(tmp.path() + "/a.pem", SpareKey().PrivatePem());
  WriteFile(tmp.path() + "/README", "not a key");
  WriteFile(tmp.path() + "/z.pem.bak", "not a key");
  WriteFile(tmp.path() + "/.zz.pem", "not a key");
  auto ring = KeyRing::Open(tmp.path());
  REQUIRE(ring.ok());
  CHECK_FALSE(ring->generated());
  CHECK(ring->active().kid() == SpareKey().kid());
}

TEST_CASE("a garbage .pem stops Open with a message naming the file", "[crypto]") {
  TempDir tmp;
  WriteFile(tmp.path() + "/a.pem", SpareKey().PrivatePem());
  WriteFile(tmp.path() + "/broken.pem", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
  auto ring = KeyRing::Open(tmp.path());
  REQUIRE_FALSE(ring.ok());
  CHECK(ring.error().message.find("broken.pem") != std::string::npos);
  CHECK(PemFiles(tmp.path()).size() == 2);  // nothing generated on failure
}

TEST_CASE("the same key under two file names stops Open with a message naming the file", "[crypto]") {
  TempDir tmp;
  WriteFile(tmp.path() + "/a.pem", SpareKey().PrivatePem());
  WriteFile(tmp.path() + "/b.pem", SpareKey().PrivatePem());
  auto ring = KeyRing::Open(tmp.path());
  REQUIRE_FALSE(ring.ok());
  CHECK(ring.error().message.find("b.pem") != std::string::npos);
}

TEST_CASE("an unreadable keys path stops Open with a message naming it", "[crypto]") {
  TempDir tmp;
  const std::string file = tmp.path() + "/plain-file";
  WriteFile(file, "x");
  auto ring = KeyRing::Open(file);
  REQUIRE_FALSE(ring.ok());
  CHECK(ring.error().message.find(file) != std::string::npos);
}

TEST_CASE("a temporary left by a crash while a key was written is never loaded", "[crypto]") {
  TempDir tmp;
  // What a start killed halfway through writing its generated key leaves behind.
  const std::string leftover = tmp.path() + "/.signing-20260101T000000.pem.0123456789abcdef.keymint-tmp";
  WriteFile(leftover, "-----BEGIN PRIVATE KEY-----\nMIIEv");
  auto ring = KeyRing::Open(tmp.path());
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  CHECK(PemFiles(tmp.path()).size() == 1);
  CHECK_FALSE(fs::exists(leftover));  // abandoned (unlocked), so removed when the new key is written

  // Once keys exist nothing is written, and a leftover is simply not read.
  WriteFile(leftover, "garbage");
  auto again = KeyRing::Open(tmp.path());
  REQUIRE(again.ok());
  CHECK(again->active().kid() == ring->active().kid());
}

TEST_CASE("threads opening one empty keys directory at once generate one key and all use it", "[crypto]") {
  TempDir tmp;
  constexpr int kThreads = 4;
  std::vector<std::string> kids(kThreads);
  std::vector<int> generated(kThreads, 0);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto ring = KeyRing::Open(tmp.path());
      if (!ring.ok()) return;
      kids[i] = ring->active().kid();
      generated[i] = ring->generated() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& kid : kids) {
    CHECK_FALSE(kid.empty());
    CHECK(kid == kids[0]);
  }
  CHECK(std::count(generated.begin(), generated.end(), 1) == 1);
  CHECK(PemFiles(tmp.path()).size() == 1);
}
