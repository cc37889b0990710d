// keymint-bench's command line: what to send, with which credentials, and how
// hard. Parsing only; nothing here touches the network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "load/arrivals.hpp"

namespace keymint::load {

enum class Mode {
  kV1,       // POST /api/v1/token, Run:ai JSON {"grantType","clientId","clientSecret"}
  kV2Basic,  // POST /api/v2/token, RFC 6749 form, client_secret_basic
  kV2Post,   // POST /api/v2/token, RFC 6749 form, client_secret_post
  kForm,     // POST --form's body with Basic credentials to --url as given: any OAuth 2.0 server
};
std::string_view ModeName(Mode mode);

enum class CreateKind { kAccessKey, kServiceAccount };

struct Options {
  // Where: scheme "http" or "https", host, port, and the path prefix
  // (keymint modes) or the token endpoint's path (form mode), from --url.
  std::string url;
  std::string host;
  std::string port;
  std::string path;
  bool tls = false;             // https://
  std::string cacert;           // --cacert: verify the server against this PEM file ("" = the system's CAs)
  bool insecure = false;        // --insecure: do not verify the server at all
  bool new_connection = false;  // --new-connection: a fresh connection (and TLS handshake) per request
  bool busy_poll = false;       // --busy-poll: client threads spin instead of sleeping

  Mode mode = Mode::kV2Basic;
  std::string form = "grant_type=client_credentials";

  std::string credentials_file;
  int create = 0;
  CreateKind create_kind = CreateKind::kAccessKey;
  std::string admin_email;
  std::string admin_password;  // --admin-password, else $KEYMINT_BENCH_ADMIN_PASSWORD
  std::string keep_created_file;
  int check_last_login = 0;  // with --credentials: how many to spot-check afterwards

  int connections = 16;
  int threads = 1;
  double rate = 0;  // requests/s offered; 0 = closed loop
  ArrivalProcess arrivals = ArrivalProcess::kPoisson;
  double duration_s = 10;
  double warmup_s = 2;
  double timeout_s = 10;
  uint64_t seed = 0;  // 0 = drawn at random

  bool json = false;
  enum class Progress { kAuto, kOn, kOff } progress = Progress::kAuto;
  bool allow_errors = false;

  bool open_loop() const { return rate > 0; }
  // HOST[:PORT] as it goes in a Host header and a URL: an IPv6 literal in
  // brackets, the port left out when it is the scheme's default.
  std::string Authority() const;
  // The URL every token request goes to, e.g. "http://127.0.0.1:8080/api/v2/token".
  std::string TokenUrl() const;
  // The request target each request is sent to (e.g. "/api/v2/token").
  std::string TokenPath() const;
  // `api_path` (e.g. "/api/v1/access-keys") under --url's path prefix.
  std::string ApiPath(std::string_view api_path) const;
};

struct Command {
  bool help = false;
  Options options;
};

// "host:port", with an IPv6 literal in brackets ("[::1]:8080").
std::string JoinHostPort(std::string_view host, std::string_view port);

// Parses argv[1..]. `env_password` is $KEYMINT_BENCH_ADMIN_PASSWORD (or "").
// Errors name the flag and say what was expected.
Result<Command> ParseCommandLine(const std::vector<std::string>& args, std::string_view env_password);

// The --help text.
std::string_view HelpText();

}  // namespace keymint::load
