#include "keymint/service/signing_key_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace keymint {
namespace {

constexpr std::chrono::seconds kRetryAfterFailure{1};

}  // namespace

SigningKeyService::SigningKeyService(crypto::KeyRing& keys, AuditTrail* audit,
                                     std::chrono::milliseconds refresh_interval)
    : keys_(keys), audit_(audit), refresh_interval_(std::max(refresh_interval, std::chrono::milliseconds(0))) {}

SigningKeyService::~SigningKeyService() { Stop(); }

std::vector<crypto::KeyEntry> SigningKeyService::List() const { return keys_.current().entries(); }

Result<crypto::KeyEntry> SigningKeyService::Rotate(const AuditActor& actor) {
  auto rotated = keys_.Rotate();
  if (!rotated.ok()) {
    if (audit_ != nullptr) audit_->RecordFailure(actor, audit_action::kSigningKeyRotate, "", rotated.error());
    return std::move(rotated).error();
  }
  crypto::KeyEntry entry = std::move(rotated).value();
  // The key is in use already: a failed audit write is logged, not undone.
  if (audit_ != nullptr) {
    if (Status recorded = audit_->Commit(actor, audit_action::kSigningKeyRotate, entry.kid); !recorded.ok()) {
      std::fprintf(stderr, "keymint: recording the rotation of kid %s in the audit log failed: %s\n", entry.kid.c_str(),
                   recorded.error().message.c_str());
    }
  }
  std::fprintf(stderr, "keymint: signing key %s (kid %s) created as %s\n", entry.file.c_str(), entry.kid.c_str(),
               std::string(crypto::KeyStateName(entry.state)).c_str());
  Wake();
  return entry;
}

void SigningKeyService::Rescan() {
  auto result = keys_.Rescan();
  if (!result.ok()) {
    std::fprintf(stderr, "keymint: key rescan failed: %s\n", result.error().message.c_str());
    return;
  }
  for (const std::string& refused : result->refused) {
    std::fprintf(stderr, "keymint: key file refused, nothing changed for it: %s\n", refused.c_str());
  }
  for (const crypto::KeyEntry& entry : result->adopted) {
    if (audit_ != nullptr) {
      // Adopted on SIGHUP: whoever put the file there is not known here.
      (void)audit_->Commit({"", "keymint", ""}, audit_action::kSigningKeyRotate, entry.kid);
    }
    std::fprintf(stderr, "keymint: signing key %s (kid %s) adopted as %s\n", entry.file.c_str(), entry.kid.c_str(),
                 std::string(crypto::KeyStateName(entry.state)).c_str());
  }
  if (result->adopted.empty() && result->refused.empty()) std::fprintf(stderr, "keymint: no new key file\n");
  if (!result->adopted.empty()) Wake();
}

void SigningKeyService::Start() {
  const std::lock_guard lock(mutex_);
  if (timer_.joinable() || stopping_) return;
  timer_ = std::thread([this] { RunTimer(); });
}

void SigningKeyService::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void SigningKeyService::Wake() {
  {
    const std::lock_guard lock(mutex_);
    changed_ = true;
  }
  wake_.notify_all();
}

void SigningKeyService::Refresh() {
  auto refreshed = keys_.Refresh();
  if (!refreshed.ok()) {
    if (refreshed.error().message != last_refresh_error_) {
      last_refresh_error_ = refreshed.error().message;
      std::fprintf(stderr,
                   "keymint: signing keys not refreshed from the keys directory, still serving the last ones: %s\n",
                   last_refresh_error_.c_str());
    }
    return;
  }
  if (!last_refresh_error_.empty()) {
    last_refresh_error_.clear();
    std::fprintf(stderr, "keymint: signing keys refreshed from the keys directory again\n");
  }
  if (*refreshed) {
    std::fprintf(stderr, "keymint: signing keys changed in the keys directory; active kid %s\n",
                 keys_.active().kid().c_str());
  }
}

void SigningKeyService::RunTimer() {
  using std::chrono::steady_clock;
  const bool refreshing = refresh_interval_.count() > 0;
  auto next_refresh = steady_clock::now() + refresh_interval_;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto woken = [this] { return stopping_ || changed_; };
    // Wake for the next transition or the next refresh, whichever comes first.
    std::optional<steady_clock::time_point> deadline;
    if (const auto next = keys_.NextChange()) {
      // The ring's clock is the wall clock outside tests, like system_clock.
      const auto wall_now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      deadline = steady_clock::now() + (std::chrono::milliseconds(*next) - wall_now);
    }
    if (refreshing) deadline = deadline ? std::min(*deadline, next_refresh) : next_refresh;
    if (deadline) {
      wake_.wait_until(lock, *deadline, woken);
    } else {
      wake_.wait(lock, woken);
    }
    changed_ = false;
    if (stopping_) break;
    lock.unlock();
    if (refreshing && steady_clock::now() >= next_refresh) {
      Refresh();
      next_refresh = steady_clock::now() + refresh_interval_;
    }
    const Status advanced = keys_.Advance();
    lock.lock();
    if (!advanced) {
      std::fprintf(stderr, "keymint: signing key states not recorded: %s\n", advanced.error().message.c_str());
      // A transition that could not be applied is still due: try again a
      // little later rather than at once, over and over.
      wake_.wait_for(lock, kRetryAfterFailure, [this] { return stopping_; });
    }
  }
}

}  // namespace keymint
