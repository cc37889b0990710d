// HTTPS against the real binary: certificates made at test time, tokens at
// both endpoints, what a TLS port refuses (old protocols, weak suites, plain
// HTTP, a one-of-two or mismatched pair), its limits, and SIGHUP reloads.
#include "support/tls.hpp"

#include <openssl/ssl.h>
#include <signal.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// A temporary directory with two unrelated certificates, "a" and "b", and
// the files keymint is pointed at ("served"), a copy of "a" to begin with.
struct Certificates {
  Certificates() : a(WriteSelfSignedCertificate(dir.path, "a")), b(WriteSelfSignedCertificate(dir.path, "b")) {
    Serve(a.cert, a.key);
  }
  // Replaces the served files (what an operator does before SIGHUP).
  void Serve(const std::string& cert, const std::string& key) const {
    namespace fs = std::filesystem;
    fs::copy_file(cert, served.cert, fs::copy_options::overwrite_existing);
    fs::copy_file(key, served.key, fs::copy_options::overwrite_existing);
  }
  std::vector<std::string> Args() const { return {"--tls-cert", served.cert, "--tls-key", served.key}; }

  ScopedTempDir dir;
  TlsFiles a, b;
  TlsFiles served{dir.path + "/served.crt", dir.path + "/served.key"};
};

TlsClientOptions Trusting(const std::string& ca_file) {
  TlsClientOptions options;
  options.ca_file = ca_file;
  return options;
}

TlsClientOptions Offering(int min_version, int max_version, const std::string& ciphers) {
  TlsClientOptions options;
  options.min_version = min_version;
  options.max_version = max_version;
  options.ciphers = ciphers;
  return options;
}

// A JSON body's string member (REQUIREs it).
std::string Member(const HttpResponse& response, const std::string& name) {
  const json::value body = response.Json();
  REQUIRE(body.is_object());
  const json::value* member = body.as_object().if_contains(name);
  REQUIRE(member != nullptr);
  REQUIRE(member->is_string());
  return std::string(member->as_string());
}

ProcessOptions TlsOptions(const Certificates& certs, std::map<std::string, std::string> env = {}) {
  ProcessOptions options;
  options.extra_args = certs.Args();
  options.env = std::move(env);
  return options;
}

HttpResponse PostJsonOver(TlsConnection& connection, const std::string& target, const json::value& body,
                          const std::string& bearer = "") {
  Headers headers = {{"Content-Type", "application/json"}};
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return connection.Send("POST", target, json::serialize(body), headers);
}

// The admin's token and a fresh access key, all over `connection`.
CreatedKey KeyOverTls(TlsConnection& connection) {
  const HttpResponse login = PostJsonOver(connection, "/api/v1/token", PasswordBody(kAdminEmail, kAdminPassword));
  INFO(login.body);
  REQUIRE(login.status == 200);
  const std::string admin = Member(login, "accessToken");
  const HttpResponse created = PostJsonOver(connection, "/api/v1/access-keys", NameBody("over-tls"), admin);
  INFO(created.body);
  REQUIRE(created.status == 201);
  return {Member(created, "id"), "over-tls", Member(created, "clientId"), Member(created, "clientSecret")};
}

// Polls keymint's stderr for `text` for up to 5 s.
bool WaitForLog(const KeymintProcess& server, const std::string& text) {
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    if (server.StderrText().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_CASE("over HTTPS keymint mints tokens at v1 and v2 under an https issuer", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs));
  const std::string issuer = "https://127.0.0.1:" + std::to_string(server.port());
  INFO(server.StderrText());
  CHECK(server.StderrText().find("listening on " + issuer) != std::string::npos);

  TlsConnection connection(server.port(), Trusting(certs.a.cert));
  REQUIRE(connection.error().empty());
  CHECK(connection.Protocol() == "TLSv1.3");
  const CreatedKey key = KeyOverTls(connection);

  const HttpResponse v1 =
      PostJsonOver(connection, "/api/v1/token", ClientCredentialsBody(key.client_id, key.client_secret));
  INFO(v1.body);
  REQUIRE(v1.status == 200);
  const json::object v1_claims = JwtClaims(Member(v1, "accessToken"));
  CHECK(v1_claims.at("iss").as_string() == issuer);

  const HttpResponse v2 =
      connection.Send("POST", "/api/v2/token", "grant_type=client_credentials",
                      {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Authorization", "Basic " + Base64Encode(key.client_id + ":" + key.client_secret)}});
  INFO(v2.body);
  REQUIRE(v2.status == 200);
  const json::object v2_claims = JwtClaims(Member(v2, "access_token"));
  CHECK(v2_claims.at("iss").as_string() == issuer);

  // A fresh, verified connection per request works as well as keep-alive.
  const HttpResponse discovery = SendTls(server.port(), certs.a.cert, "GET", "/.well-known/openid-configuration");
  REQUIRE(discovery.status == 200);
  CHECK(Member(discovery, "issuer") == issuer);
  CHECK(Member(discovery, "token_endpoint") == issuer + "/api/v2/token");
}

TEST_CASE("over HTTPS TLS 1.0 and 1.1 and CBC suites are refused, TLS 1.2 with AEAD is served", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs));
  // Security level 0 lets this client offer the old protocols at all, so the
  // refusal that follows is the server's (a protocol_version alert).
  for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    TlsConnection old(server.port(), Offering(version, version, "DEFAULT:@SECLEVEL=0"));
    INFO("version " << version << ": " << old.error());
    CHECK_THAT(old.error(), Catch::Contains("protocol version"));
  }
  TlsConnection cbc(server.port(), Offering(0, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"));
  INFO(cbc.error());
  CHECK_THAT(cbc.error(), Catch::Contains("handshake"));

  TlsClientOptions only_tls12 = Offering(TLS1_2_VERSION, TLS1_2_VERSION, "");
  only_tls12.ca_file = certs.a.cert;
  TlsConnection tls12(server.port(), only_tls12);
  REQUIRE(tls12.error().empty());
  CHECK(tls12.Protocol() == "TLSv1.2");
  CHECK(tls12.Send("GET", "/.well-known/jwks.json").status == 200);
}

TEST_CASE("plain HTTP sent to the HTTPS port gets a 400 and the server keeps serving", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs));
  const HttpResponse plain = Get(server.port(), "/.well-known/jwks.json");
  INFO(plain.body);
  CHECK_THAT(CheckError(plain, 400), Catch::Contains("https://"));
  // Like every other answer it carries a request id, and its request line
  // (written by the logging thread, so waited for) names it and the 400.
  const std::string id = plain.Header("X-Request-Id");
  REQUIRE_FALSE(id.empty());
  const auto logged = [&] {
    const std::string text = server.StderrText();
    const auto at = text.find("\"request_id\":\"" + id + "\"");
    return at != std::string::npos && text.find("\"status\":400", at) < text.find('\n', at);
  };
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!logged() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  INFO("stderr:\n" << server.StderrText());
  CHECK(logged());
  // Bytes that are neither TLS nor HTTP: closed, nothing else.
  SendRaw(server.port(), std::string("\x16\x03\x01\x00\x05garbage-that-is-no-handshake", 33));
  CHECK(SendTls(server.port(), certs.a.cert, "GET", "/.well-known/jwks.json").status == 200);
}

TEST_CASE("over HTTPS a connection that never handshakes is closed at the request timeout", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs, {{"KEYMINT_REQUEST_TIMEOUT", "1"}}));
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address_v4("127.0.0.1"), server.port()});
  const auto started = Clock::now();
  char byte = 0;
  boost::system::error_code ec = boost::asio::error::would_block;
  std::size_t read = 0;
  socket.async_read_some(boost::asio::buffer(&byte, 1), [&](boost::system::error_code read_ec, std::size_t n) {
    ec = read_ec;
    read = n;
  });
  // keymint closes it after about 1 s; 5 s is the test's patience, not a
  // performance bound.
  ioc.run_for(std::chrono::seconds(5));
  CHECK(read == 0);
  CHECK(ec == boost::asio::error::eof);
  CHECK(Clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("over HTTPS the connection limit counts TLS connections", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs, {{"KEYMINT_MAX_CONNECTIONS", "1"}}));
  TlsConnection first(server.port(), Trusting(certs.a.cert));
  REQUIRE(first.Send("GET", "/.well-known/jwks.json").status == 200);
  TlsConnection second(server.port(), Trusting(certs.a.cert));
  const HttpResponse refused = second.Send("GET", "/.well-known/jwks.json");
  CHECK(refused.status == 503);
  CHECK(refused.Header("Retry-After") == "1");
  CHECK(first.Send("GET", "/.well-known/jwks.json").status == 200);
}

TEST_CASE("keymint refuses to start with only one of the TLS files", "[integration][tls]") {
  const Certificates certs;
  const ScopedTempDir data_dir, keys_dir;
  const std::vector<std::string> base = {"serve",       "--listen",   "127.0.0.1:0", "--data-dir",
                                         data_dir.path, "--keys-dir", keys_dir.path};
  std::vector<std::string> cert_only = base;
  cert_only.insert(cert_only.end(), {"--tls-cert", certs.a.cert});
  const CommandResult by_flag = RunKeymint(cert_only);
  INFO(by_flag.output);
  CHECK(by_flag.exit_code == 2);
  CHECK_THAT(by_flag.output, Catch::Contains("tls.key is not"));

  const CommandResult by_env = RunKeymint(base, {{"KEYMINT_TLS_KEY", certs.a.key}});
  INFO(by_env.output);
  CHECK(by_env.exit_code == 2);
  CHECK_THAT(by_env.output, Catch::Contains("tls.cert is not"));
  CHECK(std::filesystem::is_empty(data_dir.path));
}

TEST_CASE("keymint refuses to start with an unreadable or mismatched TLS pair, naming the file", "[integration][tls]") {
  const Certificates certs;
  const ScopedTempDir data_dir, keys_dir;
  const std::string missing = certs.dir.path + "/missing.crt";
  const std::string not_pem = certs.dir.path + "/not.pem";
  {
    std::FILE* out = std::fopen(not_pem.c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs("not a certificate\n", out);
    std::fclose(out);
  }
  struct Case {
    std::string cert, key, expected;
  };
  const std::vector<Case> cases = {
      {missing, certs.a.key, "cannot read TLS certificate " + missing},
      {certs.a.cert, missing, "cannot read TLS key " + missing},
      {not_pem, certs.a.key, "cannot use TLS certificate " + not_pem},
      {certs.a.cert, not_pem, "cannot use TLS key " + not_pem},
      {certs.a.cert, certs.b.key, "TLS key " + certs.b.key + " does not match certificate " + certs.a.cert},
  };
  for (const Case& c : cases) {
    const CommandResult result = RunKeymint({"serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir.path,
                                             "--keys-dir", keys_dir.path, "--tls-cert", c.cert, "--tls-key", c.key});
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains(c.expected));
    CHECK(result.output.find("listening on") == std::string::npos);
  }
  CHECK(std::filesystem::is_empty(data_dir.path));
  CHECK(std::filesystem::is_empty(keys_dir.path));
}

TEST_CASE("SIGHUP reloads the TLS pair for new connections while open ones keep theirs", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs));
  TlsConnection before(server.port());
  REQUIRE(before.error().empty());
  CHECK(before.PeerFingerprint() == CertificateFingerprint(certs.a.cert));
  REQUIRE(before.Send("GET", "/.well-known/jwks.json").status == 200);

  certs.Serve(certs.b.cert, certs.b.key);
  server.Signal(SIGHUP);
  REQUIRE(WaitForLog(server, "TLS certificate reloaded"));

  TlsConnection after(server.port(), Trusting(certs.b.cert));
  REQUIRE(after.error().empty());
  CHECK(after.PeerFingerprint() == CertificateFingerprint(certs.b.cert));
  CHECK(after.Send("GET", "/.well-known/jwks.json").status == 200);
  // The connection opened before the reload is served on, under the old pair.
  CHECK(before.Send("GET", "/.well-known/jwks.json").status == 200);
  CHECK(before.PeerFingerprint() == CertificateFingerprint(certs.a.cert));
}

TEST_CASE("SIGHUP with a bad TLS pair is refused with a log line and the old pair stays", "[integration][tls]") {
  const Certificates certs;
  KeymintProcess server(TlsOptions(certs));
  certs.Serve(certs.b.cert, certs.a.key);  // b's certificate with a's key
  server.Signal(SIGHUP);
  REQUIRE(WaitForLog(server, "TLS reload refused"));
  CHECK_THAT(server.StderrText(), Catch::Contains("does not match certificate " + certs.served.cert));

  TlsConnection connection(server.port(), Trusting(certs.a.cert));
  REQUIRE(connection.error().empty());
  CHECK(connection.PeerFingerprint() == CertificateFingerprint(certs.a.cert));
  CHECK(connection.Send("GET", "/.well-known/jwks.json").status == 200);
}

}  // namespace
}  // namespace keymint::testing
