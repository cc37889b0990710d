// Operations endpoints over HTTP against the real keymint binary: liveness
// (GET /healthz), readiness (GET /readyz) and the Prometheus metrics
// (GET /metrics), whose counts must move exactly as the requests made, and
// whose text must pass promtool (Debian's prometheus package; the test fails
// when it is missing, since scripts/test installs it).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/token_forms.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

using Samples = std::map<std::string, double>;  // "name{labels}" -> value

// The samples of a text exposition: every line that is not a comment, split
// at its last space (keymint writes no timestamps).
Samples ParseSamples(const std::string& text) {
  Samples samples;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

// GET /metrics; REQUIREs 200 and the text format's media type.
std::string ScrapeText(uint16_t port) {
  const HttpResponse response = Get(port, "/metrics");
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CheckNoStore(response);
  return response.body;
}

Samples Scrape(uint16_t port) { return ParseSamples(ScrapeText(port)); }

// How far `key` moved between two scrapes (a missing sample reads 0).
double Moved(const Samples& before, const Samples& after, const std::string& key) {
  const auto value = [&key](const Samples& samples) {
    const auto it = samples.find(key);
    return it == samples.end() ? 0.0 : it->second;
  };
  return value(after) - value(before);
}

std::string TokenSeries(const std::string& endpoint, const std::string& grant, const std::string& outcome) {
  return "keymint_token_requests_total{endpoint=\"" + endpoint + "\",grant=\"" + grant + "\",outcome=\"" + outcome +
         "\"}";
}

std::string ManagementSeries(const std::string& method, const std::string& route, int status) {
  return "keymint_management_requests_total{method=\"" + method + "\",route=\"" + route + "\",status=\"" +
         std::to_string(status) + "\"}";
}

std::string DurationCount(const std::string& method, const std::string& route) {
  return "keymint_request_duration_seconds_count{method=\"" + method + "\",route=\"" + route + "\"}";
}

TEST_CASE("GET /healthz and GET /readyz answer 200 without credentials, never cached", "[integration][ops]") {
  KeymintProcess keymint;
  const HttpResponse health = Get(keymint.port(), "/healthz");
  CHECK(CheckJsonObject(health, 200, {"status"}).at("status") == "ok");
  CheckNoStore(health);
  const HttpResponse ready = Get(keymint.port(), "/readyz");
  CHECK(CheckJsonObject(ready, 200, {"status"}).at("status") == "ready");
  CheckNoStore(ready);
  // A bearer token changes nothing, even a forged one: these are not authenticated.
  CHECK(Get(keymint.port(), "/readyz", "not.a.token").status == 200);
}

TEST_CASE("The operations paths refuse other methods with 405 in the Error shape", "[integration][ops]") {
  KeymintProcess keymint;
  for (const std::string path : {"/healthz", "/readyz", "/metrics"}) {
    INFO(path);
    const HttpResponse response = Send(keymint.port(), "POST", path, "{}", {{"Content-Type", "application/json"}});
    CheckError(response, 405);
    CHECK(response.Header("Allow") == "GET");
  }
}

TEST_CASE("GET /metrics counts token requests by endpoint, grant and outcome, exactly", "[integration][ops]") {
  KeymintProcess keymint;
  const uint16_t port = keymint.port();
  const std::string admin = AdminToken(port);  // one v1 password login, before the first scrape
  const CreatedKey key = CreateAccessKey(port, admin, "metrics");

  const Samples before = Scrape(port);
  CheckKeyMints(port, key.client_id, key.client_secret);
  CheckKeyMints(port, key.client_id, key.client_secret);
  CheckKeyRefused(port, key.client_id, key.client_secret + "x");
  CHECK(ExchangeAs(TokenForm::kV1AppToken, port, key.client_id, key.client_secret).status == 200);
  CHECK(ExchangeAs(TokenForm::kV2Basic, port, key.client_id, key.client_secret).status == 200);
  CHECK(ExchangeAs(TokenForm::kV2Post, port, key.client_id, "wrong").status == 401);
  CHECK(PostForm(port, "/api/v2/token", "grant_type=implicit").status == 400);
  CHECK(PostForm(port, "/api/v2/token", "grant_type=password&username=nobody%40example.com&password=wrong-password")
            .status == 400);
  CHECK(Send(port, "POST", "/api/v1/token", "{not json", {{"Content-Type", "application/json"}}).status == 400);
  const Samples after = Scrape(port);

  const std::string v1 = "/api/v1/token", v2 = "/api/v2/token";
  CHECK(Moved(before, after, TokenSeries(v1, "client_credentials", "issued")) == 2);
  CHECK(Moved(before, after, TokenSeries(v1, "client_credentials", "unauthorized")) == 1);
  CHECK(Moved(before, after, TokenSeries(v1, "app_token", "issued")) == 1);
  CHECK(Moved(before, after, TokenSeries(v1, "none", "bad_request")) == 1);
  CHECK(Moved(before, after, TokenSeries(v1, "password", "issued")) == 0);
  CHECK(Moved(before, after, TokenSeries(v2, "client_credentials", "issued")) == 1);
  CHECK(Moved(before, after, TokenSeries(v2, "client_credentials", "unauthorized")) == 1);
  CHECK(Moved(before, after, TokenSeries(v2, "unsupported", "bad_request")) == 1);
  CHECK(Moved(before, after, TokenSeries(v2, "password", "bad_request")) == 1);  // invalid_grant is a 400
  // The admin's login before the first scrape is there too.
  CHECK(after.at(TokenSeries(v1, "password", "issued")) == 1);

  // Every token request is in its endpoint's histogram, once.
  CHECK(Moved(before, after, DurationCount("POST", v1)) == 5);
  CHECK(Moved(before, after, DurationCount("POST", v2)) == 4);
  const std::string inf_bucket =
      "keymint_request_duration_seconds_bucket{method=\"POST\",route=\"" + v1 + "\",le=\"+Inf\"}";
  CHECK(after.at(inf_bucket) == after.at(DurationCount("POST", v1)));
  // Token requests are not management requests.
  for (const auto& [series, value] : after) {
    if (series.rfind("keymint_management_requests_total", 0) == 0) CHECK(series.find("/token") == std::string::npos);
  }
}

TEST_CASE("GET /metrics labels other requests by route template and status, never by the raw path",
          "[integration][ops]") {
  KeymintProcess keymint;
  const uint16_t port = keymint.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "labels");

  const Samples before = Scrape(port);
  CHECK(Get(port, JoinPath("/api/v1/access-keys", key.id), admin).status == 200);
  CHECK(Get(port, JoinPath("/api/v1/access-keys", kUnknownUuid), admin).status == 404);
  CHECK(Get(port, JoinPath("/api/v1/access-keys", kUnknownUuid)).status == 401);
  const std::string hostile = "/api/v1/zz-metrics-label-probe-" + key.client_id;
  CHECK(Get(port, hostile).status == 404);
  CHECK(Send(port, "BREW", "/healthz").status == 405);
  CHECK(Get(port, "/healthz").status == 200);
  const std::string text = ScrapeText(port);
  const Samples after = ParseSamples(text);

  const std::string by_id = "/api/v1/access-keys/{id}";
  CHECK(Moved(before, after, ManagementSeries("GET", by_id, 200)) == 1);
  CHECK(Moved(before, after, ManagementSeries("GET", by_id, 404)) == 1);
  CHECK(Moved(before, after, ManagementSeries("GET", by_id, 401)) == 1);
  CHECK(Moved(before, after, ManagementSeries("any", "unmatched", 404)) == 1);
  CHECK(Moved(before, after, ManagementSeries("any", "unmatched", 405)) == 1);
  CHECK(Moved(before, after, ManagementSeries("GET", "/healthz", 200)) == 1);
  CHECK(Moved(before, after, ManagementSeries("GET", "/metrics", 200)) == 1);  // the first scrape
  CHECK(Moved(before, after, DurationCount("GET", by_id)) == 3);
  // Nothing a client sent became a label.
  CHECK(text.find("zz-metrics-label-probe") == std::string::npos);
  CHECK(text.find(key.id) == std::string::npos);
  CHECK(text.find(key.client_id) == std::string::npos);
  CHECK(text.find("BREW") == std::string::npos);
}

TEST_CASE("GET /metrics reports build info, open connections, the last-login queue and dropped lines",
          "[integration][ops]") {
  KeymintProcess keymint;
  const Samples samples = Scrape(keymint.port());
  CHECK(samples.count("keymint_build_info{version=\"" KEYMINT_VERSION_FOR_TESTS "\"}") == 1);
  // The scrape's own connection is open while the text is rendered.
  REQUIRE(samples.count("keymint_http_connections") == 1);
  CHECK(samples.at("keymint_http_connections") >= 1);
  REQUIRE(samples.count("keymint_last_login_queue_depth") == 1);
  CHECK(samples.at("keymint_last_login_queue_depth") >= 0);
  REQUIRE(samples.count("keymint_audit_failures_dropped_total") == 1);
  CHECK(samples.at("keymint_audit_failures_dropped_total") == 0);
  REQUIRE(samples.count("keymint_revoked_tokens") == 1);
  CHECK(samples.at("keymint_revoked_tokens") == 0);
  REQUIRE(samples.count("keymint_log_lines_dropped_total") == 1);
  CHECK(samples.at("keymint_log_lines_dropped_total") == 0);
}

TEST_CASE("GET /metrics reports the RocksDB block cache, pending compaction and the token path's cache",
          "[integration][ops][rocksdb]") {
  ScopedTempDir data, keys;
  ProcessOptions options;
  options.data_dir = data.path;
  options.keys_dir = keys.path;
  CreatedKey key;
  {
    KeymintProcess first(options);
    key = CreateAccessKey(first.port(), AdminToken(first.port()), "rocksdb");
  }
  // Reopening flushes what the log held into table files, so the exchanges
  // below read blocks (through the cache) rather than the memtable.
  KeymintProcess keymint(options);
  const uint16_t port = keymint.port();
  const Samples before = Scrape(port);
  for (int i = 0; i < 3; ++i) CheckKeyMints(port, key.client_id, key.client_secret);
  const Samples after = Scrape(port);
  for (const std::string name : {"keymint_rocksdb_block_cache_hits_total", "keymint_rocksdb_block_cache_misses_total",
                                 "keymint_rocksdb_block_cache_bytes", "keymint_rocksdb_pending_compaction_bytes",
                                 "keymint_rocksdb_background_errors_total"}) {
    INFO(name);
    CHECK(after.count(name) == 1);
  }
  // Start-up read the first blocks with the cache cold; the first exchange
  // reads the client-ID index entry and the records, which that small store
  // keeps in the blocks now cached. The next two find the credential and its
  // owner in the token path's own cache, in front of RocksDB.
  INFO("misses " << after.at("keymint_rocksdb_block_cache_misses_total") << ", hits moved "
                 << Moved(before, after, "keymint_rocksdb_block_cache_hits_total"));
  CHECK(after.at("keymint_rocksdb_block_cache_misses_total") >= 1);
  CHECK(Moved(before, after, "keymint_rocksdb_block_cache_hits_total") >= 1);
  CHECK(Moved(before, after, "keymint_store_cache_misses_total") == 2);
  CHECK(Moved(before, after, "keymint_store_cache_hits_total") == 4);
  CHECK(after.at("keymint_store_cache_entries") >= 2);
  CHECK(after.at("keymint_rocksdb_block_cache_bytes") > 0);
  CHECK(after.at("keymint_rocksdb_background_errors_total") == 0);
  CHECK(after.count("keymint_rocksdb_pending_compaction_bytes") == 1);
}

TEST_CASE("GET /metrics passes promtool check metrics", "[integration][ops]") {
  KeymintProcess keymint;
  const uint16_t port = keymint.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "promtool");
  CheckKeyMints(port, key.client_id, key.client_secret);
  CHECK(Get(port, "/api/v1/nowhere").status == 404);

  ScopedTempDir dir;
  const std::string file = dir.path + "/metrics.txt";
  std::ofstream(file) << ScrapeText(port);
  // Through sh, for the redirect; exit 127 (a failure) when promtool is missing.
  const ProgramResult check =
      RunProgram("/bin/sh", {"-c", "promtool check metrics < '" + file + "'"}, {}, std::chrono::seconds(30), true);
  INFO(check.out);
  CHECK(check.exit_code == 0);
  CHECK(check.out.empty());  // no lint warnings either
}

}  // namespace
}  // namespace keymint::testing
