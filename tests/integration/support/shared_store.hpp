// The PostgreSQL server of the test run (README "Tests"), for the integration
// suite's second run over the shared store and for the replica tests.
//
// CTest's "postgres" fixture starts the server; the suite's second
// registration names the file holding its URL in
// KEYMINT_TEST_SHARED_STORE_URL_FILE, and every keymint process then gets a
// database of its own, named after its data directory, so that a test
// restarting keymint on the same data directory finds its data.
#pragma once

#include <optional>
#include <string>

namespace keymint::testing {

// The server's URL (to its maintenance database), or nullopt when this run
// has no server: not under the fixture, or PostgreSQL is not installed (the
// fixture then leaves the file empty).
std::optional<std::string> TestPostgresUrl();

// Whether every keymint process of this run uses the shared store (the
// suite's second registration).
bool SuiteUsesSharedStore();

// The URL of the database for `place` on `server_url`, created when missing.
std::string DatabaseFor(const std::string& server_url, const std::string& place);

// Drops the database DatabaseFor(server_url, place) made (nothing when absent).
void DropDatabaseFor(const std::string& server_url, const std::string& place);

}  // namespace keymint::testing
