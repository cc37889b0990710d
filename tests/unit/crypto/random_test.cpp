#include "keymint/crypto/random.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

TEST_CASE("RandomBytes returns the requested number of bytes", "[crypto]") {
  CHECK(keymint::crypto::RandomBytes(0).empty());
  CHECK(keymint::crypto::RandomBytes(1).size() == 1);
  CHECK(keymint::crypto::RandomBytes(4096).size() == 4096);
  CHECK(keymint::crypto::RandomBytes(32) != keymint::crypto::RandomBytes(32));
}

TEST_CASE("RandomUrlSafe(32) gives 43 URL-safe characters and never repeats", "[crypto]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string s = keymint::crypto::RandomUrlSafe(32);
    REQUIRE(s.size() == 43);
    REQUIRE(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
            std::string::npos);
    seen.insert(s);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("NewUuidV4 gives lowercase canonical version 4 variant 10 UUIDs that never repeat", "[crypto]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = keymint::crypto::NewUuidV4();
    REQUIRE(id.size() == 36);
    for (std::size_t pos = 0; pos < id.size(); ++pos) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
        REQUIRE(id[pos] == '-');
      } else {
        REQUIRE(std::string("0123456789abcdef").find(id[pos]) != std::string::npos);
      }
    }
    REQUIRE(id[14] == '4');
    REQUIRE(std::string("89ab").find(id[19]) != std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("NewTokenId gives 22 URL-safe characters that never repeat, across pool refills and threads", "[crypto]") {
  // 1,000 IDs per thread span 15 refills of each thread's 64-ID pool.
  std::vector<std::vector<std::string>> per_thread(3);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 1000; ++i) ids.push_back(keymint::crypto::NewTokenId());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& ids : per_thread) {
    for (const std::string& id : ids) {
      REQUIRE(id.size() == 22);
      REQUIRE(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
              std::string::npos);
      seen.insert(id);
    }
  }
  CHECK(seen.size() == 3000);
}
