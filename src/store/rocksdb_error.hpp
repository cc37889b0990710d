// RocksDB statuses in our error vocabulary: the one place that translates them.
#pragma once

#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "keymint/common/result.hpp"

namespace keymint::store_rocksdb {

inline Error StoreError(const rocksdb::Status& s, std::string_view what) {
  return Error::Unavailable("store " + std::string(what) + " failed: " + s.ToString());
}

}  // namespace keymint::store_rocksdb
