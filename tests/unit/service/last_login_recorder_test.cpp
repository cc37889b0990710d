#include "keymint/service/last_login_recorder.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "keymint/store/store.hpp"

using keymint::CredentialKind;
using keymint::CredentialQuery;
using keymint::CredentialRecord;
using keymint::Error;
using keymint::LastLogin;
using keymint::LastLoginField;
using keymint::LastLoginRecorder;
using keymint::Result;
using keymint::Status;
using keymint::Store;
using keymint::TransactionBody;
using keymint::UserRecord;
using namespace std::chrono_literals;

namespace {

// Records what the recorder writes; everything else is unused. Thread-safe,
// since the recorder writes from its own thread.
class RecordingStore final : public Store {
 public:
  Status RunTransaction(const TransactionBody&) override { return Unused(); }
  Result<std::optional<UserRecord>> GetUser(std::string_view, LastLoginField) const override { return Unused(); }
  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view) const override { return Unused(); }
  Result<std::vector<UserRecord>> ListUsers() const override { return Unused(); }
  Result<std::optional<CredentialRecord>> GetCredential(std::string_view) const override { return Unused(); }
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view, LastLoginField) const override {
    return Unused();
  }
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind, std::string_view,
                                                               std::string_view) const override {
    return Unused();
  }
  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery&) const override { return Unused(); }
  Result<std::size_t> CountCredentialsOfOwner(std::string_view) const override { return Unused(); }
  Result<std::size_t> CountCredentialsOfKind(CredentialKind) const override { return Unused(); }

  Status RecordLastLogins(const std::vector<LastLogin>& logins) override {
    std::lock_guard lock(mu_);
    batches_.push_back(logins);
    return Status::Ok();
  }
  Status Flush() override {
    std::lock_guard lock(mu_);
    ++flushes_;
    return Status::Ok();
  }

  std::vector<std::vector<LastLogin>> batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }
  int flushes() const {
    std::lock_guard lock(mu_);
    return flushes_;
  }
  // The latest time written per id, over all batches.
  std::map<std::string, int64_t> Written() const {
    std::map<std::string, int64_t> out;
    for (const auto& batch : batches()) {
      for (const auto& login : batch) out[login.id] = login.at_ms;
    }
    return out;
  }
  // The greatest time written per id, over all batches.
  std::map<std::string, int64_t> MaxWritten() const {
    std::map<std::string, int64_t> out;
    for (const auto& batch : batches()) {
      for (const auto& login : batch) {
        auto [it, inserted] = out.try_emplace(login.id, login.at_ms);
        if (!inserted && it->second < login.at_ms) it->second = login.at_ms;
      }
    }
    return out;
  }

 private:
  static Error Unused() { return Error::Internal("not used by the recorder"); }

  mutable std::mutex mu_;
  std::vector<std::vector<LastLogin>> batches_;
  int flushes_ = 0;
};

}  // namespace

TEST_CASE("Record keeps the latest time per id", "[service]") {
  RecordingStore store;
  LastLoginRecorder recorder(store, 1h);
  recorder.Record("key-1", 5000);
  recorder.Record("key-1", 3000);  // older: ignored
  recorder.Record("key-2", 1000);
  recorder.Record("key-2", 2000);
  REQUIRE(recorder.FlushPending().ok());
  CHECK(store.Written() == std::map<std::string, int64_t>{{"key-1", 5000}, {"key-2", 2000}});

  recorder.Record("key-1", 7000);
  REQUIRE(recorder.FlushPending().ok());
  CHECK(store.Written().at("key-1") == 7000);
}

TEST_CASE("FlushPending writes everything pending as one batch, once", "[service]") {
  RecordingStore store;
  LastLoginRecorder recorder(store, 1h);
  for (int i = 0; i < 100; ++i) recorder.Record("id-" + std::to_string(i), 1000 + i);
  REQUIRE(recorder.FlushPending().ok());

  auto batches = store.batches();
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].size() == 100);
  auto written = store.Written();
  CHECK(written.size() == 100);
  CHECK(written.at("id-42") == 1042);

  // Nothing pending: no write at all.
  REQUIRE(recorder.FlushPending().ok());
  CHECK(store.batches().size() == 1);
}

TEST_CASE("pending counts the ids waiting to be written, each once", "[service]") {
  RecordingStore store;
  LastLoginRecorder recorder(store, 1h);
  CHECK(recorder.pending() == 0);
  for (const char* id : {"a", "b", "c", "a", "b"}) recorder.Record(id, 1);
  CHECK(recorder.pending() == 3);
  REQUIRE(recorder.FlushPending().ok());
  CHECK(recorder.pending() == 0);
}

TEST_CASE("Stop writes what is pending and flushes the store", "[service]") {
  RecordingStore store;
  {
    LastLoginRecorder recorder(store, 1h);
    recorder.Record("key-1", 5000);
    recorder.Stop();
    CHECK(store.Written() == std::map<std::string, int64_t>{{"key-1", 5000}});
    CHECK(store.flushes() >= 1);
    recorder.Stop();  // a second Stop is harmless
  }                   // and so is the destructor's
  CHECK(store.batches().size() == 1);
}

TEST_CASE("destroying the recorder writes what is pending", "[service]") {
  RecordingStore store;
  {
    LastLoginRecorder recorder(store, 1h);
    recorder.Record("key-1", 5000);
  }
  CHECK(store.Written() == std::map<std::string, int64_t>{{"key-1", 5000}});
  CHECK(store.flushes() >= 1);
}

TEST_CASE("the background thread writes pending times every interval", "[service]") {
  RecordingStore store;
  LastLoginRecorder recorder(store, 10ms);
  recorder.Record("key-1", 5000);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (store.Written().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  CHECK(store.Written() == std::map<std::string, int64_t>{{"key-1", 5000}});
}

TEST_CASE("concurrent Records from many threads all reach the store", "[service]") {
  RecordingStore store;
  LastLoginRecorder recorder(store, 1ms);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&recorder, t] {
      for (int i = 0; i < 500; ++i) recorder.Record("id-" + std::to_string(i % 50), t * 1000 + i);
    });
  }
  for (auto& thread : threads) thread.join();
  recorder.Stop();
  auto written = store.MaxWritten();
  REQUIRE(written.size() == 50);
  // Nothing is lost: the greatest time recorded for id-k (thread 3's last, 3000 + 450 + k) was written.
  for (int k = 0; k < 50; ++k) CHECK(written.at("id-" + std::to_string(k)) == 3450 + k);
}
