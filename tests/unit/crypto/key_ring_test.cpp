#include "keymint/crypto/key_ring.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <latch>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "keymint/crypto/ec_key.hpp"
#include "keymint/crypto/ed25519_key.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/rsa_key.hpp"
#include "unit/test_support/fake_clock.hpp"
#include "unit/test_support/files.hpp"
#include "unit/test_support/openssl_keys.hpp"

namespace fs = std::filesystem;
using keymint::crypto::AlgorithmName;
using keymint::crypto::EcKey;
using keymint::crypto::Ed25519Key;
using keymint::crypto::EncodedJwtHeader;
using keymint::crypto::KeyRing;
using keymint::crypto::RsaKey;
using keymint::crypto::SigningAlgorithm;
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

const EcKey& SpareEcKey() {
  static const EcKey key = [] {
    auto generated = EcKey::Generate();
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

const Ed25519Key& SpareEdKey() {
  static const Ed25519Key key = [] {
    auto generated = Ed25519Key::Generate();
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

boost::json::array JwksKeys(const KeyRing& ring) {
  boost::system::error_code ec;
  boost::json::value jwks = boost::json::parse(ring.jwks_json(), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(jwks.as_object().size() == 1);
  return jwks.at("keys").as_array();
}

// The name GeneratedKeyName gives a key made now.
std::string NameForNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &utc);
  return std::string("signing-") + stamp + ".pem";
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
  const auto* rsa = dynamic_cast<const RsaKey*>(&ring->active());
  REQUIRE(rsa != nullptr);
  CHECK(keymint::crypto::Base64UrlDecode(rsa->n())->size() == 256);
  CHECK(ring->algorithms() == std::vector<SigningAlgorithm>{SigningAlgorithm::kRs256});
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

TEST_CASE("ES256 on an empty directory generates one P-256 key, published as an EC JWK", "[crypto]") {
  TempDir tmp;
  auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kEs256);
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  const auto files = PemFiles(tmp.path());
  REQUIRE(files.size() == 1);
  CHECK(std::regex_match(files[0], std::regex(R"(signing-\d{8}T\d{6}\.pem)")));
  CHECK(ModeOf(tmp.path() + "/" + files[0]) == 0600);
  CHECK(ring->active().algorithm() == SigningAlgorithm::kEs256);
  CHECK(ring->active_header() == EncodedJwtHeader(ring->active()));
  CHECK(*keymint::crypto::Base64UrlDecode(ring->active_header()) ==
        R"({"alg":"ES256","typ":"JWT","kid":")" + ring->active().kid() + R"("})");
  CHECK(ring->algorithms() == std::vector<SigningAlgorithm>{SigningAlgorithm::kEs256});

  const boost::json::array keys = JwksKeys(*ring);
  REQUIRE(keys.size() == 1);
  const boost::json::object& jwk = keys[0].as_object();
  CHECK(jwk.size() == 7);
  CHECK(Str(jwk.at("kty")) == "EC");
  CHECK(Str(jwk.at("crv")) == "P-256");
  CHECK(Str(jwk.at("use")) == "sig");
  CHECK(Str(jwk.at("alg")) == "ES256");
  CHECK(Str(jwk.at("kid")) == ring->active().kid());
  CHECK(keymint::crypto::Base64UrlDecode(Str(jwk.at("x")))->size() == 32);
  CHECK(keymint::crypto::Base64UrlDecode(Str(jwk.at("y")))->size() == 32);
  CHECK(Str(jwk.at("kid")) == keymint::crypto::EcJwkThumbprint("P-256", Str(jwk.at("x")), Str(jwk.at("y"))));

  auto again = KeyRing::Open(tmp.path(), SigningAlgorithm::kEs256);
  REQUIRE(again.ok());
  CHECK_FALSE(again->generated());
  CHECK(again->active().kid() == ring->active().kid());
}

TEST_CASE("EdDSA on an empty directory generates one Ed25519 key, published as an OKP JWK", "[crypto]") {
  TempDir tmp;
  auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kEdDsa);
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  CHECK(PemFiles(tmp.path()).size() == 1);
  CHECK(ring->active().algorithm() == SigningAlgorithm::kEdDsa);
  CHECK(*keymint::crypto::Base64UrlDecode(ring->active_header()) ==
        R"({"alg":"EdDSA","typ":"JWT","kid":")" + ring->active().kid() + R"("})");
  const boost::json::array keys = JwksKeys(*ring);
  REQUIRE(keys.size() == 1);
  const boost::json::object& jwk = keys[0].as_object();
  CHECK(jwk.size() == 6);
  CHECK(Str(jwk.at("kty")) == "OKP");
  CHECK(Str(jwk.at("crv")) == "Ed25519");
  CHECK(Str(jwk.at("use")) == "sig");
  CHECK(Str(jwk.at("alg")) == "EdDSA");
  CHECK(keymint::crypto::Base64UrlDecode(Str(jwk.at("x")))->size() == 32);
  CHECK(Str(jwk.at("kid")) == keymint::crypto::OkpJwkThumbprint("Ed25519", Str(jwk.at("x"))));
}

TEST_CASE("a directory with an RSA key opened for ES256 keeps the RSA key published and adds a P-256 key to sign with",
          "[crypto]") {
  TempDir tmp;
  WriteFile(tmp.path() + "/signing-20200101T000000.pem", SpareKey().PrivatePem());
  auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kEs256);
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  REQUIRE(PemFiles(tmp.path()).size() == 2);
  CHECK(ring->active().algorithm() == SigningAlgorithm::kEs256);
  REQUIRE(ring->FindByKid(SpareKey().kid()) != nullptr);
  CHECK(ring->FindByKid(SpareKey().kid())->algorithm() == SigningAlgorithm::kRs256);
  CHECK(ring->FindByKid(ring->active().kid()) == &ring->active());
  CHECK(ring->algorithms() == std::vector<SigningAlgorithm>{SigningAlgorithm::kEs256, SigningAlgorithm::kRs256});
  const boost::json::array keys = JwksKeys(*ring);
  REQUIRE(keys.size() == 2);
  CHECK(Str(keys[0].at("kty")) == "RSA");  // file order: the older name first
  CHECK(Str(keys[1].at("kty")) == "EC");

  SECTION("reopening for ES256 generates nothing more") {
    auto again = KeyRing::Open(tmp.path(), SigningAlgorithm::kEs256);
    REQUIRE(again.ok());
    CHECK_FALSE(again->generated());
    CHECK(again->active().kid() == ring->active().kid());
    CHECK(PemFiles(tmp.path()).size() == 2);
  }
  SECTION("reopening for RS256 makes the RSA key active again, the EC key still published") {
    auto back = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256);
    REQUIRE(back.ok());
    CHECK_FALSE(back->generated());
    CHECK(back->active().kid() == SpareKey().kid());
    CHECK(back->FindByKid(ring->active().kid()) != nullptr);
    CHECK(back->algorithms() == std::vector<SigningAlgorithm>{SigningAlgorithm::kRs256, SigningAlgorithm::kEs256});
    CHECK(PemFiles(tmp.path()).size() == 2);
  }
}

TEST_CASE("the active key is the newest file of the configured algorithm, not the newest file", "[crypto]") {
  TempDir tmp;
  auto old_rsa = RsaKey::Generate(2048);
  REQUIRE(old_rsa.ok());
  WriteFile(tmp.path() + "/a.pem", old_rsa->PrivatePem());
  WriteFile(tmp.path() + "/b.pem", SpareKey().PrivatePem());
  WriteFile(tmp.path() + "/c.pem", SpareEcKey().PrivatePem());
  WriteFile(tmp.path() + "/d.pem", SpareEdKey().PrivatePem());

  auto rs = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256);
  REQUIRE(rs.ok());
  CHECK_FALSE(rs->generated());
  CHECK(rs->active().kid() == SpareKey().kid());
  CHECK(rs->algorithms() ==
        std::vector<SigningAlgorithm>{SigningAlgorithm::kRs256, SigningAlgorithm::kEs256, SigningAlgorithm::kEdDsa});
  CHECK(JwksKeys(*rs).size() == 4);
  auto es = KeyRing::Open(tmp.path(), SigningAlgorithm::kEs256);
  REQUIRE(es.ok());
  CHECK(es->active().kid() == SpareEcKey().kid());
  CHECK(es->algorithms() ==
        std::vector<SigningAlgorithm>{SigningAlgorithm::kEs256, SigningAlgorithm::kRs256, SigningAlgorithm::kEdDsa});
  auto ed = KeyRing::Open(tmp.path(), SigningAlgorithm::kEdDsa);
  REQUIRE(ed.ok());
  CHECK(ed->active().kid() == SpareEdKey().kid());
  CHECK(PemFiles(tmp.path()).size() == 4);
  // Every key verifies its own tokens in every ring.
  for (const KeyRing* ring : {&*rs, &*es, &*ed}) {
    for (const std::string& kid : {old_rsa->kid(), SpareKey().kid(), SpareEcKey().kid(), SpareEdKey().kid()}) {
      CHECK(ring->FindByKid(kid) != nullptr);
    }
  }
}

TEST_CASE("a generated key whose name is taken by a key of another algorithm gets the next second's name", "[crypto]") {
  TempDir tmp;
  // What a restart that switches algorithms within the second of the first start finds.
  const std::string taken = NameForNow();
  WriteFile(tmp.path() + "/" + taken, SpareKey().PrivatePem());
  auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kEdDsa);
  REQUIRE(ring.ok());
  CHECK(ring->generated());
  const auto files = PemFiles(tmp.path());
  REQUIRE(files.size() == 2);
  CHECK(ring->active().algorithm() == SigningAlgorithm::kEdDsa);
  CHECK(ring->FindByKid(SpareKey().kid()) != nullptr);
  for (const std::string& name : files) CHECK(std::regex_match(name, std::regex(R"(signing-\d{8}T\d{6}\.pem)")));
  CHECK(keymint::testing::ReadAll(tmp.path() + "/" + taken) == SpareKey().PrivatePem());  // left as it was
}

TEST_CASE("a key of an unsupported type or curve stops Open with a message naming the file", "[crypto]") {
  TempDir tmp;
  WriteFile(tmp.path() + "/a.pem", SpareKey().PrivatePem());
  const auto p384 = keymint::testing::NewOpenSslKey("EC", "P-384");
  WriteFile(tmp.path() + "/p384.pem", keymint::testing::PrivatePemOf(p384.get()));
  for (SigningAlgorithm algorithm : {SigningAlgorithm::kRs256, SigningAlgorithm::kEs256}) {
    INFO(AlgorithmName(algorithm));
    auto ring = KeyRing::Open(tmp.path(), algorithm);
    REQUIRE_FALSE(ring.ok());
    CHECK(ring.error().message.find("p384.pem") != std::string::npos);
  }
  CHECK(PemFiles(tmp.path()).size() == 2);  // nothing generated on failure
}

TEST_CASE("threads opening one RSA-only directory for ES256 at once generate one P-256 key and all use it",
          "[crypto]") {
  TempDir tmp;
  WriteFile(tmp.path() + "/signing-20200101T000000.pem", SpareKey().PrivatePem());
  constexpr int kThreads = 4;
  std::vector<std::string> kids(kThreads);
  std::vector<int> generated(kThreads, 0);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kEs256);
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
  CHECK(PemFiles(tmp.path()).size() == 2);
}

TEST_CASE("A rotation publishes a next key that signs after the publish delay, and the old key leaves after the TTL",
          "[crypto]") {
  TempDir tmp;
  keymint::testing::FakeClock clock;
  auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256, {&clock, 10, 60});
  REQUIRE(ring.ok());
  const std::string old_kid = ring->active().kid();
  const keymint::crypto::KeySet& before = ring->current();

  auto rotated = ring->Rotate();
  REQUIRE(rotated.ok());
  CHECK(rotated->state == keymint::crypto::KeyState::kNext);
  CHECK(ring->active().kid() == old_kid);  // still signing with the old key
  CHECK(ring->FindByKid(rotated->kid) != nullptr);
  CHECK(JwksKeys(*ring).size() == 2);
  CHECK(PemFiles(tmp.path()).size() == 2);
  CHECK(ring->NextChange() == clock.NowMillis() + 10'000);
  CHECK(&before.active() == &ring->active());  // an old snapshot stays readable

  clock.Advance(10'000);
  REQUIRE(ring->Advance().ok());
  CHECK(ring->active().kid() == rotated->kid);
  CHECK(ring->active_header() == EncodedJwtHeader(ring->active()));
  CHECK(before.active().kid() == old_kid);  // still valid after the swap

  clock.Advance(60'000);  // the TTL, but not the 1 s of leeway
  REQUIRE(ring->Advance().ok());
  CHECK(ring->FindByKid(old_kid) != nullptr);
  clock.Advance(1'000);
  REQUIRE(ring->Advance().ok());
  CHECK(ring->FindByKid(old_kid) == nullptr);
  CHECK(JwksKeys(*ring).size() == 1);
  CHECK(PemFiles(tmp.path()).size() == 1);
}

TEST_CASE("Reopening a keys directory keeps the recorded states and applies what fell due meanwhile", "[crypto]") {
  TempDir tmp;
  keymint::testing::FakeClock clock;
  std::string old_kid, new_kid;
  {
    auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256, {&clock, 10, 60});
    REQUIRE(ring.ok());
    old_kid = ring->active().kid();
    auto rotated = ring->Rotate();
    REQUIRE(rotated.ok());
    new_kid = rotated->kid;
  }
  {
    auto again = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256, {&clock, 10, 60});
    REQUIRE(again.ok());
    CHECK(again->active().kid() == old_kid);  // the new key is still next, though its name sorts last
  }
  clock.Advance(10'000);
  {
    auto again = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256, {&clock, 10, 60});
    REQUIRE(again.ok());
    CHECK(again->active().kid() == new_kid);
    CHECK(again->FindByKid(old_kid) != nullptr);
  }
  clock.Advance(61'000);
  auto again = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256, {&clock, 10, 60});
  REQUIRE(again.ok());
  CHECK(again->FindByKid(old_kid) == nullptr);
  CHECK(PemFiles(tmp.path()).size() == 1);
}

TEST_CASE("A rescan adopts a new key file and refuses garbage and other algorithms", "[crypto]") {
  TempDir tmp;
  keymint::testing::FakeClock clock;
  auto ring = KeyRing::Open(tmp.path(), SigningAlgorithm::kRs256, {&clock, 0, 60});
  REQUIRE(ring.ok());
  const std::string old_kid = ring->active().kid();
  { std::ofstream(tmp.path() + "/garbage.pem") << "not a key"; }
  { std::ofstream(tmp.path() + "/ec.pem") << EcKey::Generate()->PrivatePem(); }
  auto refused = ring->Rescan();
  REQUIRE(refused.ok());
  CHECK(refused->adopted.empty());
  CHECK(refused->refused.size() == 2);
  CHECK(ring->active().kid() == old_kid);
  CHECK(JwksKeys(*ring).size() == 1);

  fs::remove(tmp.path() + "/garbage.pem");
  fs::remove(tmp.path() + "/ec.pem");
  { std::ofstream(tmp.path() + "/zz-new.pem") << SpareKey().PrivatePem(); }
  auto adopted = ring->Rescan();
  REQUIRE(adopted.ok());
  REQUIRE(adopted->adopted.size() == 1);
  CHECK(adopted->adopted[0].state == keymint::crypto::KeyState::kActive);  // no publish delay
  CHECK(ring->active().kid() == SpareKey().kid());
}
