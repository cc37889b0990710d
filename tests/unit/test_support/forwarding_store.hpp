// Test stores that change one behaviour (RetryingStore) or watch one call
// (the router fuzz target's WatchedStore) derive from keymint's own
// ForwardingStore.
#pragma once

#include "keymint/store/forwarding_store.hpp"

namespace keymint::testing {

using keymint::ForwardingStore;

}  // namespace keymint::testing
