// How a replica learns what other replicas changed in a shared store
// (README "Deployment: several replicas"), so that it can keep records in
// memory and still stop honouring a regenerated, disabled or deleted
// credential within a bound.
//
// A shared store numbers its changes: every committed transaction that
// creates, updates or deletes a user or credential, and every revoked token,
// takes the next sequence numbers, one Change per record touched, in commit
// order and without gaps. So a reader that has seen change N has seen every
// change before it, and a first change above `after + 1` means the ones
// between were pruned: the reader must then drop everything it derived from
// the store and start again from LatestChangeSeq().
//
// Last logins, usage and the audit log are not changes: nothing is kept in
// memory from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

enum class ChangeTable : uint8_t {
  kUser,          // id: the user's id
  kCredential,    // id: the credential's id; client_id: its client ID
  kRevokedToken,  // id: the token's jti
};

struct Change {
  uint64_t seq = 0;
  ChangeTable table = ChangeTable::kUser;
  std::string id;
  std::string client_id;  // credentials only (immutable, so it names the record as its id does); else ""

  friend bool operator==(const Change&, const Change&) = default;
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // The sequence number of the newest committed change; 0 when there is none.
  virtual Result<uint64_t> LatestChangeSeq() const = 0;
  // Committed changes with a sequence number above `after`, oldest first, at
  // most `limit` of them. Unavailable when the store cannot be read.
  virtual Result<std::vector<Change>> ChangesAfter(uint64_t after, std::size_t limit) const = 0;
};

// A store several keymint processes share (PostgreSQL), with its change feed.
class SharedStore : public Store, public ChangeFeed {};

}  // namespace keymint
