// The audit log's table: key order, page reads with filters, cursors and the
// scan budget, and pruning, on each backend (store_conformance.hpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "keymint/store/store.hpp"
#include "store/key_layout.hpp"
#include "unit/store/store_conformance.hpp"

namespace layout = keymint::store_layout;
using keymint::AuditPage;
using keymint::AuditQuery;
using keymint::AuditRecord;
using keymint::ErrorCode;
using keymint::Status;
using keymint::Store;
using keymint::StoreTransaction;
using keymint::testing::CachedRocksDb;
using keymint::testing::kNoPostgres;
using keymint::testing::Postgres;
using keymint::testing::RocksDb;
using keymint::testing::ScratchStore;

namespace {

AuditRecord Entry(std::string id, int64_t at_ms, std::string actor, std::string action, std::string target) {
  AuditRecord e;
  e.id = std::move(id);
  e.at_ms = at_ms;
  e.actor = std::move(actor);
  e.actor_id = e.actor + "-id";
  e.action = std::move(action);
  e.target = std::move(target);
  e.source = "127.0.0.1";
  return e;
}

std::vector<std::string> IdsOf(const AuditPage& page) {
  std::vector<std::string> ids;
  for (const auto& e : page.entries) ids.push_back(e.id);
  return ids;
}

AuditPage List(const Store& store, const AuditQuery& query) {
  auto page = store.ListAudit(query);
  INFO((page.ok() ? std::string() : page.error().message));
  REQUIRE(page.ok());
  return std::move(page).value();
}

// Ten entries, one per second from t=1000 s, alternating actors and actions;
// ids "e0".."e9" (e9 the newest).
void Fill(Store& store) {
  for (int i = 0; i < 10; ++i) {
    REQUIRE(store
                .AppendAudit(Entry("e" + std::to_string(i), 1'000'000 + i * 1000, i % 2 == 0 ? "ann" : "bob",
                                   i % 3 == 0 ? "user.create" : "access_key.create", "t" + std::to_string(i % 4)))
                .ok());
  }
}

}  // namespace

TEST_CASE("audit keys sort newest first, then by id, and carry their time", "[store]") {
  const std::vector<int64_t> times = {0, 9, 10, 999, 1000, 1'700'000'000'000, 1'699'999'999'999};
  std::vector<std::pair<std::string, int64_t>> keys;
  for (int64_t t : times) keys.emplace_back(layout::AuditKey(t, "b"), t);
  keys.emplace_back(layout::AuditKey(1000, "a"), 1000);
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 1; i < keys.size(); ++i) {
    INFO(keys[i - 1].first << " then " << keys[i].first);
    CHECK(keys[i - 1].second >= keys[i].second);
  }
  CHECK(layout::AuditKey(1000, "a") < layout::AuditKey(1000, "b"));
  for (int64_t t : times) CHECK(layout::AuditKeyTime(layout::AuditKey(t, "x_Y-9")) == t);
  CHECK(layout::AuditTimeKey(1000) < layout::AuditKey(1000, "0"));
  CHECK(layout::AuditKey(999, "0") > layout::AuditTimeKey(999));
  CHECK(layout::AuditKey(1000, "z") < layout::AuditTimeKey(999));
}

TEST_CASE("audit key parsing refuses anything but an audit key", "[store]") {
  const std::string digits = "0000000000001000";
  const std::vector<std::string> bad_keys = {"",
                                             "al:",
                                             "al:" + digits,
                                             "al:" + digits + ":",
                                             "ll:" + digits + ":a",
                                             "al:" + digits.substr(1) + ":a",
                                             "al:" + digits + "a:a",
                                             "al:000000000000100x:a",
                                             "al:" + digits + ":a/b",
                                             "al:" + digits + ":a:b",
                                             "al:" + digits + ":" + std::string(65, 'a'),
                                             "al:-000000000001000:a"};
  for (const std::string& bad : bad_keys) {
    INFO(bad);
    CHECK_FALSE(layout::AuditKeyTime(bad).has_value());
  }
  CHECK(layout::AuditKeyTime("al:" + digits + ":" + std::string(64, 'a')).has_value());
}

TEMPLATE_TEST_CASE("audit entries written in a transaction commit with it, or not at all", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  REQUIRE(
      store->RunTransaction([](StoreTransaction& tx) { return tx.AppendAudit(Entry("kept", 5, "a", "x", "t")); }).ok());
  const Status aborted = store->RunTransaction([](StoreTransaction& tx) -> Status {
    (void)tx.AppendAudit(Entry("lost", 6, "a", "x", "t"));
    return keymint::Error::InvalidArgument("abort");
  });
  CHECK_FALSE(aborted.ok());
  const AuditPage page = List(*store, {});
  CHECK(IdsOf(page) == std::vector<std::string>{"kept"});
  CHECK(page.entries[0].actor_id == "a-id");
  CHECK(page.entries[0].source == "127.0.0.1");
  CHECK(page.entries[0].success);
}

TEMPLATE_TEST_CASE("audit pages come newest first and cursors continue where the last page stopped", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Fill(*store);
  AuditQuery query;
  query.limit = 4;
  AuditPage page = List(*store, query);
  CHECK(IdsOf(page) == std::vector<std::string>{"e9", "e8", "e7", "e6"});
  REQUIRE_FALSE(page.next.empty());
  query.after = page.next;
  page = List(*store, query);
  CHECK(IdsOf(page) == std::vector<std::string>{"e5", "e4", "e3", "e2"});
  query.after = page.next;
  page = List(*store, query);
  CHECK(IdsOf(page) == std::vector<std::string>{"e1", "e0"});
  CHECK(page.next.empty());
  query.limit = 10;
  query.after.clear();
  CHECK(List(*store, query).next.empty());  // a full page with nothing after it
}

TEMPLATE_TEST_CASE("audit filters apply while scanning, inclusive time bounds included", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Fill(*store);
  AuditQuery query;
  query.actor = "bob";
  CHECK(IdsOf(List(*store, query)) == std::vector<std::string>{"e9", "e7", "e5", "e3", "e1"});
  query.actor = "ann-id";
  CHECK(IdsOf(List(*store, query)) == std::vector<std::string>{"e8", "e6", "e4", "e2", "e0"});
  query.actor.reset();
  query.action = "user.create";
  CHECK(IdsOf(List(*store, query)) == std::vector<std::string>{"e9", "e6", "e3", "e0"});
  query.action.reset();
  query.target = "t1";
  CHECK(IdsOf(List(*store, query)) == std::vector<std::string>{"e9", "e5", "e1"});
  query.target.reset();
  query.from_ms = 1'003'000;
  query.to_ms = 1'006'000;
  CHECK(IdsOf(List(*store, query)) == std::vector<std::string>{"e6", "e5", "e4", "e3"});
  query.to_ms = 1'006'999;
  query.from_ms = 1'005'001;
  CHECK(IdsOf(List(*store, query)) == std::vector<std::string>{"e6"});
}

TEMPLATE_TEST_CASE("a page reads at most its scan budget and says where to go on", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Fill(*store);
  AuditQuery query;
  query.target = "t0";  // e8, e4, e0
  query.scan_budget = 3;
  AuditPage page = List(*store, query);
  CHECK(IdsOf(page) == std::vector<std::string>{"e8"});  // e9, e8, e7 read
  REQUIRE_FALSE(page.next.empty());
  std::vector<std::string> all = IdsOf(page);
  for (int pages = 0; !page.next.empty() && pages < 10; ++pages) {
    query.after = page.next;
    page = List(*store, query);
    for (const auto& id : IdsOf(page)) all.push_back(id);
  }
  CHECK(all == std::vector<std::string>{"e8", "e4", "e0"});
  CHECK(page.next.empty());
}

TEMPLATE_TEST_CASE("a page position that is not one the store returned is InvalidArgument", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Fill(*store);
  for (const std::string bad : {"x", "12:ab", "0000000000000000:", "0000000000000000:a b", "0000000000000000"}) {
    AuditQuery query;
    query.after = bad;
    auto page = store->ListAudit(query);
    INFO(bad);
    REQUIRE_FALSE(page.ok());
    CHECK(page.error().code == ErrorCode::kInvalidArgument);
  }
}

TEMPLATE_TEST_CASE("pruning deletes only entries older than the cut-off, in bounded batches", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Fill(*store);
  auto pruned = store->PruneAudit(1'004'000, 3);  // e0..e3 are older
  REQUIRE(pruned.ok());
  CHECK(*pruned == 3);
  pruned = store->PruneAudit(1'004'000, 3);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  pruned = store->PruneAudit(1'004'000, 3);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 0);
  CHECK(IdsOf(List(*store, {})) == std::vector<std::string>{"e9", "e8", "e7", "e6", "e5", "e4"});
}

TEMPLATE_TEST_CASE("audit entries outlive the store being closed and reopened", "[store]", KEYMINT_STORE_BACKENDS) {
  KEYMINT_SCRATCH_STORE(store);
  Fill(*store);
  store.Reopen();
  CHECK(List(*store, {}).entries.size() == 10);
}
