#include "load/options.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace keymint::load {
namespace {

Result<Command> Parse(std::vector<std::string> args, std::string_view env_password = "") {
  return ParseCommandLine(args, env_password);
}

std::string ErrorOf(std::vector<std::string> args) {
  auto parsed = Parse(std::move(args));
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().message;
}

TEST_CASE("the defaults: v2 with Basic, 16 connections, closed loop, 2 s + 10 s", "[load]") {
  auto parsed = Parse({"--url", "http://127.0.0.1:8080", "--credentials", "c.txt"});
  REQUIRE(parsed.ok());
  const Options& o = parsed->options;
  CHECK(o.mode == Mode::kV2Basic);
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == "8080");
  CHECK(o.TokenPath() == "/api/v2/token");
  CHECK(o.connections == 16);
  CHECK(o.threads == 1);
  CHECK_FALSE(o.open_loop());
  CHECK(o.warmup_s == 2);
  CHECK(o.duration_s == 10);
  CHECK_FALSE(o.json);
  CHECK_FALSE(o.allow_errors);
}

TEST_CASE("each mode sends to its path, under the URL's prefix", "[load]") {
  const auto path = [](std::vector<std::string> args) {
    auto parsed = Parse(std::move(args));
    REQUIRE(parsed.ok());
    return parsed->options.TokenPath();
  };
  CHECK(path({"--url", "http://h:1/", "--credentials", "c", "--mode", "v1"}) == "/api/v1/token");
  CHECK(path({"--url", "http://h:1/keymint/", "--credentials", "c", "--mode", "v2-post"}) == "/keymint/api/v2/token");
  CHECK(path({"--url", "http://h/oauth2/token", "--credentials", "c", "--mode", "form"}) == "/oauth2/token");
  CHECK(path({"--url", "http://h", "--credentials", "c", "--mode", "form"}) == "/");
  auto parsed = Parse({"--url", "http://h", "--credentials", "c"});
  REQUIRE(parsed.ok());
  CHECK(parsed->options.port == "80");
}

TEST_CASE("open-loop and output flags are read", "[load]") {
  auto parsed = Parse({"--url",
                       "http://h:1",
                       "--credentials",
                       "c",
                       "--rate",
                       "1500.5",
                       "--arrivals",
                       "uniform",
                       "-c",
                       "32",
                       "-t",
                       "2",
                       "-d",
                       "30",
                       "--warmup",
                       "0",
                       "--timeout",
                       "1.5",
                       "--json",
                       "--progress",
                       "off",
                       "--allow-errors",
                       "--form",
                       "grant_type=x",
                       "--mode",
                       "form"});
  REQUIRE(parsed.ok());
  const Options& o = parsed->options;
  CHECK(o.open_loop());
  CHECK(o.rate == 1500.5);
  CHECK(o.arrivals == ArrivalProcess::kUniform);
  CHECK(o.connections == 32);
  CHECK(o.threads == 2);
  CHECK(o.duration_s == 30);
  CHECK(o.warmup_s == 0);
  CHECK(o.timeout_s == 1.5);
  CHECK(o.json);
  CHECK(o.progress == Options::Progress::kOff);
  CHECK(o.allow_errors);
  CHECK(o.form == "grant_type=x");
}

TEST_CASE("https URLs, their verification and a new connection per request are read", "[load]") {
  auto verified = Parse({"--url", "https://auth.example.com/keymint", "--credentials", "c", "--cacert", "ca.pem"});
  REQUIRE(verified.ok());
  CHECK(verified->options.tls);
  CHECK(verified->options.host == "auth.example.com");
  CHECK(verified->options.port == "443");
  CHECK(verified->options.cacert == "ca.pem");
  CHECK_FALSE(verified->options.insecure);
  CHECK_FALSE(verified->options.new_connection);
  auto insecure = Parse({"--url", "https://127.0.0.1:8443", "--credentials", "c", "--insecure", "--new-connection"});
  REQUIRE(insecure.ok());
  CHECK(insecure->options.port == "8443");
  CHECK(insecure->options.insecure);
  CHECK(insecure->options.new_connection);
  auto plain = Parse({"--url", "http://h", "--credentials", "c", "--new-connection"});
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->options.tls);
  CHECK(plain->options.port == "80");
  CHECK(plain->options.new_connection);
  CHECK_FALSE(plain->options.busy_poll);
  auto busy = Parse({"--url", "http://h", "--credentials", "c", "--busy-poll"});
  REQUIRE(busy.ok());
  CHECK(busy->options.busy_poll);
}

TEST_CASE("create takes the admin's password from the flag or the environment", "[load]") {
  auto from_env = Parse({"--url", "http://h:1", "--create", "5", "--admin-email", "a@b.c"}, "from-env");
  REQUIRE(from_env.ok());
  CHECK(from_env->options.create == 5);
  CHECK(from_env->options.admin_password == "from-env");
  auto from_flag =
      Parse({"--url", "http://h:1", "--create", "5", "--admin-email", "a@b.c", "--admin-password", "flag"}, "env");
  REQUIRE(from_flag.ok());
  CHECK(from_flag->options.admin_password == "flag");
  CHECK(ErrorOf({"--url", "http://h:1", "--create", "5", "--admin-email", "a@b.c"}).find("password") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--create", "5"}).find("--admin-email") != std::string::npos);
}

TEST_CASE("bad command lines are refused with the flag named", "[load]") {
  CHECK(ErrorOf({}).find("--url") != std::string::npos);
  CHECK(ErrorOf({"--url", "ftp://h:1", "--credentials", "c"}).find("https://") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--insecure"}).find("https://") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--cacert", "ca.pem"}).find("https://") !=
        std::string::npos);
  CHECK(
      ErrorOf({"--url", "https://h:1", "--credentials", "c", "--cacert", "ca.pem", "--insecure"}).find("at most one") !=
      std::string::npos);
  CHECK(ErrorOf({"--url", "not a url", "--credentials", "c"}).find("--url") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1"}).find("exactly one") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--create", "2", "--admin-email", "a"})
            .find("exactly one") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--mode", "v3"}).find("--mode") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "-c", "0"}).find("-c") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--rate", "-5"}).find("--rate") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "-d", "abc"}).find("-d") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "-c", "2", "-t", "3"}).find("--threads") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--frobnicate", "x"}).find("--frobnicate") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--keep-created", "f"}).find("--create") !=
        std::string::npos);
  CHECK(ErrorOf({"--url"}).find("missing value") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--check-last-login", "3"}).find("--admin-email") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--create", "2", "--admin-email", "a", "--admin-password", "p",
                 "--check-last-login", "3"})
            .find("--credentials") != std::string::npos);
}

TEST_CASE("a port outside 1-65535, an empty port and credentials in the URL are refused", "[load]") {
  for (const char* url : {"http://127.0.0.1:99999", "http://127.0.0.1:65536", "http://127.0.0.1:0",
                          "http://127.0.0.1:", "https://h:-1"}) {
    INFO(url);
    CHECK(ErrorOf({"--url", url, "--credentials", "c"}).find("port") != std::string::npos);
  }
  CHECK(ErrorOf({"--url", "http://user:pw@h:1", "--credentials", "c"}).find("--credentials") != std::string::npos);
  auto highest = Parse({"--url", "http://h:65535", "--credentials", "c"});
  REQUIRE(highest.ok());
  CHECK(highest->options.port == "65535");
}

TEST_CASE("a keymint mode's URL that already names a token endpoint is refused with the way out", "[load]") {
  for (const char* url : {"http://h:1/api/v2/token", "http://h:1/keymint/api/v1/token/"}) {
    INFO(url);
    const std::string error = ErrorOf({"--url", url, "--credentials", "c"});
    CHECK(error.find("base URL") != std::string::npos);
    CHECK(error.find("--mode form") != std::string::npos);
  }
  CHECK(Parse({"--url", "http://h:1/api/v2/token", "--credentials", "c", "--mode", "form"}).ok());
}

TEST_CASE("flags are read as --flag=VALUE as well as --flag VALUE", "[load]") {
  auto parsed = Parse({"--url=http://h:1/p", "--credentials=c.txt", "-c", "3", "--rate=25", "--mode=v1"});
  REQUIRE(parsed.ok());
  CHECK(parsed->options.port == "1");
  CHECK(parsed->options.credentials_file == "c.txt");
  CHECK(parsed->options.rate == 25);
  CHECK(parsed->options.mode == Mode::kV1);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--json=yes"}).find("takes no value") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--rate="}).find("--rate") != std::string::npos);
}

TEST_CASE("flags that would be ignored are refused instead", "[load]") {
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--form", "grant_type=x"}).find("--mode form") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--arrivals", "uniform"}).find("--rate") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--seed", "3"}).find("--rate") != std::string::npos);
  auto seeded =
      Parse({"--url", "http://h:1", "--credentials", "c", "--rate", "5", "--seed", "3", "--arrivals", "poisson"});
  REQUIRE(seeded.ok());
  CHECK(seeded->options.seed == 3);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--rate", "5", "--seed", "3", "--arrivals", "uniform"})
            .find("Poisson") != std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--create-kind", "service-account"}).find("--create") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--admin-email", "a@b.c"}).find("--check-last-login") !=
        std::string::npos);
  CHECK(ErrorOf({"--url", "http://h:1", "--credentials", "c", "--admin-password", "p"}).find("--create") !=
        std::string::npos);
}

TEST_CASE("the authority brackets an IPv6 literal and leaves out the scheme's default port", "[load]") {
  auto v6 = Parse({"--url", "http://[::1]:8080/k", "--credentials", "c"});
  REQUIRE(v6.ok());
  CHECK(v6->options.host == "::1");  // what the resolver takes
  CHECK(v6->options.Authority() == "[::1]:8080");
  CHECK(v6->options.TokenUrl() == "http://[::1]:8080/k/api/v2/token");
  auto https = Parse({"--url", "https://auth.example.com", "--credentials", "c"});
  REQUIRE(https.ok());
  CHECK(https->options.Authority() == "auth.example.com");
  auto https_on_80 = Parse({"--url", "https://auth.example.com:80", "--credentials", "c"});
  REQUIRE(https_on_80.ok());
  CHECK(https_on_80->options.Authority() == "auth.example.com:80");
  CHECK(JoinHostPort("::1", "9") == "[::1]:9");
  CHECK(JoinHostPort("h", "9") == "h:9");
}

TEST_CASE("help wins over everything else and documents every flag", "[load]") {
  auto parsed = Parse({"--bogus-but-ignored-after", "--help"});
  REQUIRE_FALSE(parsed.ok());  // the unknown flag comes first
  auto help = Parse({"--help", "--bogus"});
  REQUIRE(help.ok());
  CHECK(help->help);
  for (const char* flag :
       {"--url",         "--mode",        "--form",         "--credentials",      "--create",
        "--create-kind", "--admin-email", "--keep-created", "--check-last-login", "--connections",
        "--threads",     "--rate",        "--arrivals",     "--duration",         "--warmup",
        "--timeout",     "--seed",        "--json",         "--progress",         "--allow-errors"}) {
    INFO(flag);
    CHECK(HelpText().find(flag) != std::string_view::npos);
  }
}

}  // namespace
}  // namespace keymint::load
