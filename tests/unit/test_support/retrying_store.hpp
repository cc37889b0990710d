// A Store that runs every transaction body twice, as a backend that retries
// on a conflict may (keymint/store/store.hpp, TransactionBody): the first run
// is aborted once the body returns OK, and only the second commits. A body
// that acts outside its transaction, or carries state from one run to the
// next, gives itself away against it. Reads and last logins go straight to
// the store it wraps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/store/store.hpp"
#include "unit/test_support/forwarding_store.hpp"

namespace keymint::testing {

class RetryingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  Status RunTransaction(const TransactionBody& body) override {
    Status first = inner().RunTransaction([&](StoreTransaction& tx) -> Status {
      RETURN_IF_ERROR(body(tx));
      return Error::Unavailable(std::string(kConflict));
    });
    // A body's own error ends the transaction: backends retry conflicts only.
    if (first.error().message != kConflict) return first;
    return inner().RunTransaction(body);
  }

 private:
  static constexpr std::string_view kConflict = "simulated conflict: run the body again";
};

}  // namespace keymint::testing
