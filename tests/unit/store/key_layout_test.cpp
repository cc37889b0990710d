#include "store/key_layout.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace layout = keymint::store_layout;
using keymint::CredentialKind;

namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// Creation times out of order and with different digit counts; ids chosen so
// that id order is the reverse of time order.
const std::vector<int64_t> kTimes = {1'700'000'000'000, 0, 10, 9, 999, 1000, 1'699'999'999'999};

std::string IdFor(int64_t t) { return std::string(1, static_cast<char>('z' - (t % 26))) + "-id"; }

template <typename MakeKey>
void CheckSortsByTime(MakeKey make_key) {
  std::vector<std::pair<std::string, int64_t>> keys;
  for (int64_t t : kTimes) keys.emplace_back(make_key(t, IdFor(t)), t);
  std::sort(keys.begin(), keys.end());  // byte order of the keys
  for (std::size_t i = 1; i < keys.size(); ++i) {
    INFO(keys[i - 1].first << " then " << keys[i].first);
    CHECK(keys[i - 1].second < keys[i].second);
  }
}

}  // namespace

TEST_CASE("user creation-time index keys sort in creation-time order", "[store]") {
  CheckSortsByTime([](int64_t t, const std::string& id) { return layout::UserTimeKey(t, id); });
}

TEST_CASE("owner index keys sort in creation-time order", "[store]") {
  CheckSortsByTime([](int64_t t, const std::string& id) { return layout::OwnerIndexKey("owner-1", t, id); });
}

TEST_CASE("kind index keys sort in creation-time order", "[store]") {
  CheckSortsByTime(
      [](int64_t t, const std::string& id) { return layout::KindIndexKey(CredentialKind::kAccessKey, t, id); });
  CheckSortsByTime(
      [](int64_t t, const std::string& id) { return layout::KindIndexKey(CredentialKind::kServiceAccount, t, id); });
}

TEST_CASE("index keys with the same creation time sort by id", "[store]") {
  CHECK(layout::UserTimeKey(5000, "aaa") < layout::UserTimeKey(5000, "bbb"));
  CHECK(layout::OwnerIndexKey("o", 5000, "aaa") < layout::OwnerIndexKey("o", 5000, "bbb"));
  CHECK(layout::KindIndexKey(CredentialKind::kAccessKey, 5000, "aaa") <
        layout::KindIndexKey(CredentialKind::kAccessKey, 5000, "bbb"));
}

TEST_CASE("a negative creation time is stored as zero", "[store]") {
  CHECK(layout::UserTimeKey(-5, "x") == layout::UserTimeKey(0, "x"));
}

TEST_CASE("index keys start with their scan prefix", "[store]") {
  CHECK(StartsWith(layout::UserTimeKey(42, "id"), layout::kUserTimePrefix));
  CHECK(StartsWith(layout::OwnerIndexKey("owner-1", 42, "id"), layout::OwnerIndexPrefix("owner-1")));
  CHECK(StartsWith(layout::KindIndexKey(CredentialKind::kAccessKey, 42, "id"),
                   layout::KindIndexPrefix(CredentialKind::kAccessKey)));
  CHECK(StartsWith(layout::KindIndexKey(CredentialKind::kServiceAccount, 42, "id"),
                   layout::KindIndexPrefix(CredentialKind::kServiceAccount)));
}

TEST_CASE("a scan prefix does not reach another owner's or kind's keys", "[store]") {
  // "owner-1" is a prefix of "owner-12": the separator keeps their scans apart.
  CHECK_FALSE(StartsWith(layout::OwnerIndexKey("owner-12", 42, "id"), layout::OwnerIndexPrefix("owner-1")));
  CHECK_FALSE(StartsWith(layout::KindIndexKey(CredentialKind::kServiceAccount, 42, "id"),
                         layout::KindIndexPrefix(CredentialKind::kAccessKey)));
  CHECK_FALSE(StartsWith(layout::KindIndexKey(CredentialKind::kAccessKey, 42, "id"),
                         layout::KindIndexPrefix(CredentialKind::kServiceAccount)));
  CHECK_FALSE(StartsWith(layout::UserEmailKey("ut:x"), layout::kUserTimePrefix));
}

TEST_CASE("tables and name scopes never share a key", "[store]") {
  std::vector<std::string> keys = {
      layout::UserKey("x"),
      layout::UserEmailKey("x"),
      layout::UserTimeKey(1, "x"),
      layout::CredentialKey("x"),
      layout::ClientIdKey("x"),
      layout::CredentialNameKey(CredentialKind::kAccessKey, "owner-1", "x"),
      layout::CredentialNameKey(CredentialKind::kAccessKey, "owner-2", "x"),
      layout::CredentialNameKey(CredentialKind::kServiceAccount, "", "x"),
      layout::CredentialNameKey(CredentialKind::kAccessKey, "", "x"),
      layout::OwnerIndexKey("x", 1, "x"),
      layout::KindIndexKey(CredentialKind::kAccessKey, 1, "x"),
      layout::KindIndexKey(CredentialKind::kServiceAccount, 1, "x"),
      layout::LastLoginKey("x"),
  };
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
}

TEST_CASE("IdFromIndexKey returns the id at the end of every index key", "[store]") {
  const std::string id = "6f1c1b9e-3d0c-4b7e-9a55-0c2f4d1e8a77";
  CHECK(layout::IdFromIndexKey(layout::UserTimeKey(1'700'000'000'000, id)) == id);
  CHECK(layout::IdFromIndexKey(layout::OwnerIndexKey("b3a1c2d4-0000-4000-8000-000000000001", 7, id)) == id);
  CHECK(layout::IdFromIndexKey(layout::KindIndexKey(CredentialKind::kAccessKey, 7, id)) == id);
  CHECK(layout::IdFromIndexKey(layout::KindIndexKey(CredentialKind::kServiceAccount, 7, id)) == id);
}

TEST_CASE("IdFromIndexKey of a key without a separator is the whole key", "[store]") {
  CHECK(layout::IdFromIndexKey("plain") == "plain");
  CHECK(layout::IdFromIndexKey("ends:") == "");
}
