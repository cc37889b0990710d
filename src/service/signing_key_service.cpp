#include "keymint/service/signing_key_service.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace keymint {

SigningKeyService::SigningKeyService(crypto::KeyRing& keys, AuditTrail* audit) : keys_(keys), audit_(audit) {}

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

void SigningKeyService::RunTimer() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto woken = [this] { return stopping_ || changed_; };
    // The ring's clock is the wall clock outside tests, like system_clock.
    if (const auto next = keys_.NextChange()) {
      wake_.wait_until(lock, std::chrono::system_clock::time_point(std::chrono::milliseconds(*next)), woken);
    } else {
      wake_.wait(lock, woken);
    }
    changed_ = false;
    if (stopping_) break;
    lock.unlock();
    if (Status advanced = keys_.Advance(); !advanced) {
      std::fprintf(stderr, "keymint: signing key states not recorded: %s\n", advanced.error().message.c_str());
    }
    lock.lock();
  }
}

}  // namespace keymint
