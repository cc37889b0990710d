#include "keymint/config/config.hpp"

#include <stdlib.h>  // mkdtemp, setenv

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/settings_table.hpp"

namespace keymint {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Env = std::map<std::string, std::string>;
using Args = std::vector<std::string>;

// A scratch directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/keymint-config-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to `name` inside the directory; returns the full path.
  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
    return file.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs the test body in `dir`, because the default config path is relative to
// the working directory; restores the old one afterwards.
class ScopedCwd {
 public:
  explicit ScopedCwd(const fs::path& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() {
    std::error_code ignored;
    fs::current_path(old_, ignored);
  }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  fs::path old_;
};

Config ServeConfig(const Args& args, const Env& env = {}) {
  auto command = ParseCommandLine(args, env);
  if (!command) FAIL("unexpected error: " << command.error().message);
  REQUIRE(command->kind == Command::Kind::kServe);
  return command->config;
}

// The error message, after checking it is one line (what main prints).
std::string ErrorOf(const Args& args, const Env& env = {}) {
  auto command = ParseCommandLine(args, env);
  REQUIRE_FALSE(command.ok());
  const std::string& message = command.error().message;
  CHECK(command.error().code == ErrorCode::kInvalidArgument);
  CHECK(message.find('\n') == std::string::npos);
  CHECK_FALSE(message.empty());
  return message;
}

std::string ShippedExamplePath() {
  // Not from __FILE__: ccache may make that relative to the build directory.
  return fs::path(KEYMINT_SOURCE_DIR) / "config" / "keymint.toml";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---------------------------------------------------------------------------
// Each source alone

TEST_CASE("No arguments at all serve with the built-in defaults", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config config = ServeConfig({});
  CHECK(config == Config{});
  CHECK(config.listen_host == "127.0.0.1");
  CHECK(config.listen_port == 8080);
  CHECK(config.data_dir == "./data");
  CHECK(config.keys_dir == "./keys");
  CHECK(config.issuer.empty());
  CHECK(config.token_ttl_seconds == 3600);
  CHECK(config.threads == 0);
  CHECK(config.admin_email == "admin@keymint.local");
  CHECK_FALSE(config.admin_password.has_value());
  CHECK(config.max_keys_per_user == 20);
  CHECK(config.max_grace_seconds == 86400);
  CHECK(config.max_lifetime_days == 0);
  CHECK(config.body_limit_bytes == 64 * 1024);
  CHECK(config.config_path.empty());
}

TEST_CASE("The serve command without flags uses the defaults", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ServeConfig({"serve"}) == Config{});
}

TEST_CASE("A config file alone sets every file setting", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", R"(
[server]
listen = "[::1]:9000"
threads = 3
body_limit_bytes = 2048
[storage]
data_dir = "/var/lib/keymint"
[keys]
dir = "/run/secrets/keymint"
[signing]
algorithm = "ES256"
[tokens]
issuer = "https://auth.example.com"
audience = "api"
ttl_seconds = 600
[admin]
email = "root@example.org"
[access_keys]
max_per_user = 5
[tenant]
id = "acme"
[deprecation]
date = "2024-02-29"
sunset_date = "2027-01-01"
[roles]
extra = ["Auditor", "Billing viewer"]
)");
  const Config config = ServeConfig({"serve", "--config", path});
  CHECK(config.listen_host == "::1");
  CHECK(config.listen_port == 9000);
  CHECK(config.threads == 3);
  CHECK(config.body_limit_bytes == 2048);
  CHECK(config.data_dir == "/var/lib/keymint");
  CHECK(config.keys_dir == "/run/secrets/keymint");
  CHECK(config.signing_algorithm == "ES256");
  CHECK(config.issuer == "https://auth.example.com");
  CHECK(config.audience == "api");
  CHECK(config.token_ttl_seconds == 600);
  CHECK(config.admin_email == "root@example.org");
  CHECK(config.max_keys_per_user == 5);
  CHECK(config.tenant_id == "acme");
  CHECK(config.deprecation_date == 1709164800);  // 2024-02-29T00:00:00Z
  CHECK(config.sunset_date == 1798761600);       // 2027-01-01T00:00:00Z
  CHECK(config.extra_roles == std::vector<std::string>{"Auditor", "Billing viewer"});
  CHECK(config.config_path == path);
}

TEST_CASE("The environment alone sets every environment setting", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config config = ServeConfig({"serve"}, {{"KEYMINT_LISTEN", "0.0.0.0:0"},
                                                {"KEYMINT_DATA_DIR", "/d"},
                                                {"KEYMINT_KEYS_DIR", "/k"},
                                                {"KEYMINT_SIGNING_ALGORITHM", "EdDSA"},
                                                {"KEYMINT_ISSUER", "http://localhost:8080"},
                                                {"KEYMINT_AUDIENCE", "aud"},
                                                {"KEYMINT_TOKEN_TTL", "60"},
                                                {"KEYMINT_THREADS", "256"},
                                                {"KEYMINT_ADMIN_EMAIL", "a@b.c"},
                                                {"KEYMINT_ADMIN_PASSWORD", "s3cret pass"},
                                                {"KEYMINT_MAX_KEYS_PER_USER", "100"},
                                                {"KEYMINT_TENANT_ID", "t-1"},
                                                {"KEYMINT_DEPRECATION_DATE", "1970-01-02"},
                                                {"KEYMINT_SUNSET_DATE", "9999-12-31"},
                                                {"UNRELATED", "x"}});
  CHECK(config.listen_host == "0.0.0.0");
  CHECK(config.listen_port == 0);
  CHECK(config.data_dir == "/d");
  CHECK(config.keys_dir == "/k");
  CHECK(config.signing_algorithm == "EdDSA");
  CHECK(config.issuer == "http://localhost:8080");
  CHECK(config.audience == "aud");
  CHECK(config.token_ttl_seconds == 60);
  CHECK(config.threads == 256);
  CHECK(config.admin_email == "a@b.c");
  CHECK(config.admin_password == "s3cret pass");
  CHECK(config.max_keys_per_user == 100);
  CHECK(config.tenant_id == "t-1");
  CHECK(config.deprecation_date == 86400);
  CHECK(config.sunset_date == 253402214400);  // 9999-12-31T00:00:00Z
}

TEST_CASE("Flags alone set every flag setting", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config config =
      ServeConfig({"serve", "--listen", "localhost:1234", "--data-dir", "d", "--keys-dir", "k", "--signing-algorithm",
                   "ES256", "--issuer", "https://x.example", "--threads", "7"});
  CHECK(config.listen_host == "localhost");
  CHECK(config.listen_port == 1234);
  CHECK(config.data_dir == "d");
  CHECK(config.keys_dir == "k");
  CHECK(config.signing_algorithm == "ES256");
  CHECK(config.issuer == "https://x.example");
  CHECK(config.threads == 7);
}

TEST_CASE("Flags accept the --flag=value form", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const std::string path = dir.Write("k.toml", "[tokens]\nttl_seconds = 120\n");
  const Config config = ServeConfig(
      {"serve", "--listen=127.0.0.1:0", "--data-dir=/a=b", "--threads=2", "--config=" + path, "--issuer=http://h"});
  CHECK(config.listen_port == 0);
  CHECK(config.data_dir == "/a=b");  // only the first '=' separates
  CHECK(config.threads == 2);
  CHECK(config.token_ttl_seconds == 120);
  CHECK(config.issuer == "http://h");
}

TEST_CASE("An empty environment variable counts as unset", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config config =
      ServeConfig({}, {{"KEYMINT_TOKEN_TTL", ""}, {"KEYMINT_ISSUER", ""}, {"KEYMINT_ADMIN_PASSWORD", ""}});
  CHECK(config == Config{});
}

// ---------------------------------------------------------------------------
// Precedence

TEST_CASE("A flag beats the environment, which beats the file, which beats the default", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", R"(
[server]
listen = "127.0.0.1:1001"
threads = 1
[storage]
data_dir = "from-file"
[tokens]
ttl_seconds = 100
issuer = "http://file"
)");
  const Env file_only = {{"KEYMINT_CONFIG", path}};
  Env env = file_only;
  env.insert({{"KEYMINT_LISTEN", "127.0.0.1:1002"},
              {"KEYMINT_DATA_DIR", "from-env"},
              {"KEYMINT_TOKEN_TTL", "200"},
              {"KEYMINT_THREADS", "2"},
              {"KEYMINT_ISSUER", "http://env"}});

  SECTION("the file beats the defaults") {
    const Config config = ServeConfig({"serve"}, file_only);
    CHECK(config.listen_port == 1001);
    CHECK(config.data_dir == "from-file");
    CHECK(config.token_ttl_seconds == 100);
    CHECK(config.threads == 1);
    CHECK(config.issuer == "http://file");
    CHECK(config.keys_dir == "./keys");  // not in the file: still the default
  }
  SECTION("the environment beats the file") {
    const Config config = ServeConfig({"serve"}, env);
    CHECK(config.listen_port == 1002);
    CHECK(config.data_dir == "from-env");
    CHECK(config.token_ttl_seconds == 200);
    CHECK(config.threads == 2);
    CHECK(config.issuer == "http://env");
  }
  SECTION("a flag beats the environment") {
    const Config config = ServeConfig(
        {"serve", "--listen", "127.0.0.1:1003", "--data-dir", "from-flag", "--threads", "3", "--issuer=http://flag"},
        env);
    CHECK(config.listen_port == 1003);
    CHECK(config.data_dir == "from-flag");
    CHECK(config.threads == 3);
    CHECK(config.issuer == "http://flag");
    CHECK(config.token_ttl_seconds == 200);  // no flag for it: the environment still wins over the file
  }
}

TEST_CASE("The --config flag beats KEYMINT_CONFIG, which beats the default config path", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  dir.Write("config/keymint.toml", "[tokens]\nttl_seconds = 61\n");
  const std::string env_file = dir.Write("env.toml", "[tokens]\nttl_seconds = 62\n");
  const std::string flag_file = dir.Write("flag.toml", "[tokens]\nttl_seconds = 63\n");

  const Config by_default = ServeConfig({});
  CHECK(by_default.token_ttl_seconds == 61);
  CHECK(by_default.config_path == "config/keymint.toml");
  CHECK(ServeConfig({}, {{"KEYMINT_CONFIG", env_file}}).token_ttl_seconds == 62);
  CHECK(ServeConfig({"serve", "--config", flag_file}, {{"KEYMINT_CONFIG", env_file}}).token_ttl_seconds == 63);
}

// ---------------------------------------------------------------------------
// Commands

TEST_CASE("Help is asked for by --help, -h, help and serve --help", "[config]") {
  for (const Args& args :
       {Args{"--help"}, Args{"-h"}, Args{"help"}, Args{"serve", "--help"}, Args{"serve", "--listen", "x", "-h"}}) {
    auto command = ParseCommandLine(args, {});
    REQUIRE(command.ok());
    CHECK(command->kind == Command::Kind::kHelp);
  }
}

TEST_CASE("Help and version read no settings, so a broken environment does not hide them", "[config]") {
  const Env broken = {{"KEYMINT_TOKEN_TTL", "abc"}, {"KEYMINT_CONFIG", "/nonexistent/keymint.toml"}};
  auto help = ParseCommandLine({"--help"}, broken);
  REQUIRE(help.ok());
  CHECK(help->kind == Command::Kind::kHelp);
  auto version = ParseCommandLine({"--version"}, broken);
  REQUIRE(version.ok());
  CHECK(version->kind == Command::Kind::kVersion);
}

TEST_CASE("Unknown commands, flags and stray arguments are errors", "[config]") {
  CHECK_THAT(ErrorOf({"start"}), Contains("unknown command \"start\""));
  CHECK_THAT(ErrorOf({"serve", "--lisen", "1.2.3.4:5"}), Contains("unknown flag \"--lisen\""));
  CHECK_THAT(ErrorOf({"serve", "--lisen=1.2.3.4:5"}), Contains("unknown flag \"--lisen\""));
  CHECK_THAT(ErrorOf({"serve", "-x"}), Contains("unknown flag \"-x\""));
  CHECK_THAT(ErrorOf({"--bogus"}), Contains("unknown flag \"--bogus\""));
  CHECK_THAT(ErrorOf({"serve", "extra"}), Contains("unexpected argument \"extra\""));
  CHECK_THAT(ErrorOf({"--version", "now"}), Contains("unexpected argument \"now\""));
  CHECK_THAT(ErrorOf({"help", "me"}), Contains("unexpected argument \"me\""));
}

TEST_CASE("A serve flag before the command says where it belongs", "[config]") {
  CHECK_THAT(ErrorOf({"--listen", "127.0.0.1:1"}), Contains("--listen is a flag of the serve command"));
}

TEST_CASE("A flag without a value is an error naming the flag", "[config]") {
  CHECK(ErrorOf({"serve", "--listen"}) == "missing value for --listen");
  CHECK(ErrorOf({"serve", "--data-dir", "--threads", "2"}) == "missing value for --data-dir");
  CHECK(ErrorOf({"serve", "--config"}) == "missing value for --config");
}

TEST_CASE("A flag given twice is an error", "[config]") {
  CHECK(ErrorOf({"serve", "--threads", "2", "--threads=3"}) == "--threads is given more than once");
}

// ---------------------------------------------------------------------------
// Validation: one line naming the setting and its source

TEST_CASE("The environment error message names the variable, the bounds and the value", "[config]") {
  CHECK(ErrorOf({}, {{"KEYMINT_TOKEN_TTL", "abc"}}) ==
        "invalid KEYMINT_TOKEN_TTL: expected an integer between 1 and 86400, got \"abc\"");
}

TEST_CASE("Environment and flag numbers are decimal digits with no junk", "[config]") {
  for (const std::string bad : {"12abc", " 12", "12 ", "+12", "-12", "0x10", "1e2", "12.0", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK_THAT(ErrorOf({}, {{"KEYMINT_THREADS", bad}}), Contains("invalid KEYMINT_THREADS: expected an integer"));
    CHECK_THAT(ErrorOf({"serve", "--threads", bad}), Contains("invalid --threads: expected an integer"));
  }
}

TEST_CASE("Every bad value is one line naming its setting", "[config]") {
  struct Case {
    std::string env;
    std::string value;
  };
  const std::vector<Case> cases = {
      {"KEYMINT_LISTEN", "127.0.0.1"},
      {"KEYMINT_LISTEN", ":8080"},
      {"KEYMINT_LISTEN", "example.com:80"},
      {"KEYMINT_LISTEN", "1.2.3.4:65536"},
      {"KEYMINT_LISTEN", "1.2.3.4:8o"},
      {"KEYMINT_LISTEN", "1.2.3.4:+80"},
      {"KEYMINT_LISTEN", "::1:8080"},
      {"KEYMINT_LISTEN", "[::1]"},
      {"KEYMINT_LISTEN", "[::g]:80"},
      {"KEYMINT_LISTEN", "01.2.3.4:80"},
      {"KEYMINT_LISTEN", "1.2.3:80"},
      {"KEYMINT_LISTEN", "256.1.1.1:80"},
      {"KEYMINT_LISTEN", "[]:80"},
      {"KEYMINT_LISTEN", "1.2.3.4:"},
      {"KEYMINT_THREADS", "0"},
      {"KEYMINT_THREADS", "257"},
      {"KEYMINT_TOKEN_TTL", "0"},
      {"KEYMINT_TOKEN_TTL", "86401"},
      {"KEYMINT_MAX_KEYS_PER_USER", "0"},
      {"KEYMINT_MAX_KEYS_PER_USER", "1001"},
      {"KEYMINT_MAX_GRACE_SECONDS", "-1"},
      {"KEYMINT_MAX_GRACE_SECONDS", "2592001"},
      {"KEYMINT_MAX_GRACE_SECONDS", "1h"},
      {"KEYMINT_MAX_LIFETIME_DAYS", "36501"},
      {"KEYMINT_MAX_LIFETIME_DAYS", "-5"},
      {"KEYMINT_ISSUER", "ftp://x"},
      {"KEYMINT_ISSUER", "example.com"},
      {"KEYMINT_ISSUER", "https://"},
      {"KEYMINT_ISSUER", "https://x/"},
      {"KEYMINT_ISSUER", "https://x?a=b"},
      {"KEYMINT_ISSUER", "https://x y"},
      {"KEYMINT_ADMIN_EMAIL", "admin"},
      {"KEYMINT_ADMIN_EMAIL", "admin@localhost"},
      {"KEYMINT_ADMIN_EMAIL", "@x.org"},
      {"KEYMINT_ADMIN_EMAIL", "a b@x.org"},
      {"KEYMINT_ADMIN_EMAIL", "a@b@x.org"},
      {"KEYMINT_ADMIN_EMAIL", "a@x..org"},
      {"KEYMINT_ADMIN_EMAIL", "a@.x.org"},
      {"KEYMINT_ADMIN_EMAIL", "a@x.org."},
      {"KEYMINT_ADMIN_EMAIL", std::string(250, 'a') + "@x.org"},
      {"KEYMINT_SIGNING_ALGORITHM", "none"},
      {"KEYMINT_SIGNING_ALGORITHM", "HS256"},
      {"KEYMINT_SIGNING_ALGORITHM", "es256"},
      {"KEYMINT_SIGNING_ALGORITHM", "EDDSA"},
      {"KEYMINT_SIGNING_ALGORITHM", "Ed25519"},
      {"KEYMINT_SIGNING_ALGORITHM", "ES384"},
      {"KEYMINT_SIGNING_ALGORITHM", "RS256 "},
      {"KEYMINT_TENANT_ID", "a b"},
      {"KEYMINT_TENANT_ID", std::string(65, 't')},
      {"KEYMINT_AUDIENCE", "a\nb"},
      {"KEYMINT_DATA_DIR", "a\nb"},
      {"KEYMINT_KEYS_DIR", "\t"},
      {"KEYMINT_DEPRECATION_DATE", "2025-1-01"},
      {"KEYMINT_DEPRECATION_DATE", "2025-02-29"},
      {"KEYMINT_DEPRECATION_DATE", "2025-13-01"},
      {"KEYMINT_DEPRECATION_DATE", "2025-00-10"},
      {"KEYMINT_DEPRECATION_DATE", "2025-01-00"},
      {"KEYMINT_DEPRECATION_DATE", "1969-12-31"},
      {"KEYMINT_DEPRECATION_DATE", "2025-01-01T00:00:00Z"},
      {"KEYMINT_DEPRECATION_DATE", "+025-01-01"},
      {"KEYMINT_SUNSET_DATE", "2025/01/01"},
      {"KEYMINT_SUNSET_DATE", "tomorrow"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.env, c.value);
    const std::string message = ErrorOf({}, {{c.env, c.value}});
    CHECK(message.starts_with("invalid " + c.env + ": "));
  }
}

TEST_CASE("Every bad flag value is one line naming the flag", "[config]") {
  const std::vector<Args> cases = {
      {"serve", "--listen", "nohost"}, {"serve", "--listen="},   {"serve", "--threads", "0"},
      {"serve", "--data-dir="},        {"serve", "--keys-dir="}, {"serve", "--issuer", "https://x/"},
      {"serve", "--config="},
  };
  for (const auto& args : cases) {
    CAPTURE(args);
    const std::string flag = args[1].substr(0, args[1].find('='));
    CHECK(ErrorOf(args).starts_with("invalid " + flag + ": "));
  }
}

TEST_CASE("The signing algorithm is RS256 by default and exactly RS256, ES256 or EdDSA otherwise", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ServeConfig({}).signing_algorithm == "RS256");
  for (const char* algorithm : {"RS256", "ES256", "EdDSA"}) {
    CHECK(ServeConfig({"serve", "--signing-algorithm", algorithm}).signing_algorithm == algorithm);
  }
  CHECK(ErrorOf({"serve", "--signing-algorithm", "eddsa"}) ==
        "invalid --signing-algorithm: expected RS256, ES256 or EdDSA, got \"eddsa\"");
  // The flag beats the environment.
  CHECK(
      ServeConfig({"serve", "--signing-algorithm=EdDSA"}, {{"KEYMINT_SIGNING_ALGORITHM", "ES256"}}).signing_algorithm ==
      "EdDSA");
}

TEST_CASE("An issuer with a trailing slash is rejected with the reason", "[config]") {
  CHECK(ErrorOf({"serve", "--issuer", "https://auth.example.com/"}) ==
        "invalid --issuer: must not end with \"/\" (it is compared byte for byte in tokens), "
        "got \"https://auth.example.com/\"");
}

TEST_CASE("Listen accepts IPv4, localhost and bracketed IPv6 with any port 0 to 65535", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  Config config = ServeConfig({"serve", "--listen", "[::1]:8080"});
  CHECK(config.listen_host == "::1");
  CHECK(config.listen_port == 8080);
  config = ServeConfig({"serve", "--listen", "[::]:65535"});
  CHECK(config.listen_host == "::");
  CHECK(config.listen_port == 65535);
  config = ServeConfig({"serve", "--listen", "localhost:0"});
  CHECK(config.listen_host == "localhost");
  CHECK(config.listen_port == 0);
  config = ServeConfig({"serve", "--listen", "10.0.0.255:443"});
  CHECK(config.listen_host == "10.0.0.255");
}

TEST_CASE("A bad value in the file names the file and the TOML key", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "[tokens]\nttl_seconds = 0\n");
  CHECK(ErrorOf({"serve", "--config", path}) ==
        path + ": invalid tokens.ttl_seconds: expected an integer between 1 and 86400, got 0");
}

TEST_CASE("Every bad file value is one line naming the file and the key", "[config]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"server.listen", "[server]\nlisten = \"localhost\"\n"},
      {"server.threads", "[server]\nthreads = 0\n"},
      {"server.body_limit_bytes", "[server]\nbody_limit_bytes = 1023\n"},
      {"server.body_limit_bytes", "[server]\nbody_limit_bytes = 16777217\n"},
      {"storage.data_dir", "[storage]\ndata_dir = \"\"\n"},
      {"keys.dir", "[keys]\ndir = \"\"\n"},
      {"signing.algorithm", "[signing]\nalgorithm = \"PS256\"\n"},
      {"signing.algorithm", "[signing]\nalgorithm = 256\n"},
      {"tokens.issuer", "[tokens]\nissuer = \"\"\n"},
      {"tokens.audience", "[tokens]\naudience = \"\"\n"},
      {"tokens.ttl_seconds", "[tokens]\nttl_seconds = -1\n"},
      {"admin.email", "[admin]\nemail = \"nobody\"\n"},
      {"access_keys.max_per_user", "[access_keys]\nmax_per_user = 101\n"},
      {"credentials.max_grace_seconds", "[credentials]\nmax_grace_seconds = 2592001\n"},
      {"credentials.max_grace_seconds", "[credentials]\nmax_grace_seconds = \"1d\"\n"},
      {"credentials.max_lifetime_days", "[credentials]\nmax_lifetime_days = -1\n"},
      {"tenant.id", "[tenant]\nid = \"\"\n"},
      {"deprecation.date", "[deprecation]\ndate = \"2025-04-31\"\n"},
      {"deprecation.date", "[deprecation]\ndate = 2025-01-01\n"},
      {"deprecation.sunset_date", "[deprecation]\nsunset_date = \"\"\n"},
      {"roles.extra", "[roles]\nextra = [\"\"]\n"},
      {"roles.extra", "[roles]\nextra = [\"" + std::string(65, 'r') + "\"]\n"},
      {"roles.extra", "[roles]\nextra = [\"Auditor\", \"Auditor\"]\n"},
      {"roles.extra", "[roles]\nextra = \"Auditor\"\n"},
      {"roles.extra", "[roles]\nextra = [\"Auditor\", 3]\n"},
  };
  TempDir dir;
  for (const auto& [key, content] : cases) {
    CAPTURE(key, content);
    const std::string path = dir.Write("k.toml", content);
    CHECK(ErrorOf({"serve", "--config", path}).starts_with(path + ": invalid " + key + ": "));
  }
}

TEST_CASE("Extra roles may be up to 64 characters, counted as characters not bytes", "[config]") {
  TempDir dir;
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "\xC3\xA9";  // é: 64 characters, 128 bytes
  const std::string path = dir.Write("k.toml", "[roles]\nextra = [\"" + long_name + "\", \"ML auditor\"]\n");
  CHECK(ServeConfig({"serve", "--config", path}).extra_roles == std::vector<std::string>{long_name, "ML auditor"});
}

TEST_CASE("A duplicate extra role is named in the error", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "[roles]\nextra = [\"Auditor\", \"Auditor\"]\n");
  CHECK(ErrorOf({"serve", "--config", path}) == path + ": invalid roles.extra: role \"Auditor\" is listed twice");
}

TEST_CASE("A number given as a TOML string is a type error that shows the type", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "[server]\nthreads = \"3\"\n");
  CHECK(ErrorOf({"serve", "--config", path}) ==
        path + ": invalid server.threads: expected an integer between 1 and 256, got the string \"3\"");
}

TEST_CASE("Wrong TOML types are errors naming the key", "[config]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[tokens]\nttl_seconds = 3600.0\n", "got the float 3600"},
      {"[server]\nlisten = 8080\n", "got the integer 8080"},
      {"[server]\nlisten = true\n", "got the boolean true"},
      {"[storage]\ndata_dir = [\"a\"]\n", "got an array"},
      {"[server.listen]\nhost = \"x\"\n", "got a table"},
      {"[tenant]\nid = 1\n", "got the integer 1"},
      {"[roles]\nextra = [1]\n", "an array holding the integer 1"},
  };
  TempDir dir;
  for (const auto& [content, expected] : cases) {
    CAPTURE(content);
    const std::string path = dir.Write("k.toml", content);
    CHECK_THAT(ErrorOf({"serve", "--config", path}), Contains(expected) && Contains(path + ": invalid "));
  }
}

TEST_CASE("An unknown key in the file is an error naming it", "[config]") {
  TempDir dir;
  std::string path = dir.Write("k.toml", "[server]\nlisen = \"127.0.0.1:1\"\n");
  CHECK(ErrorOf({"serve", "--config", path}) == path + ": unknown setting \"server.lisen\"");
  path = dir.Write("k.toml", "[serverr]\nlisten = \"127.0.0.1:1\"\n");
  CHECK(ErrorOf({"serve", "--config", path}) == path + ": unknown setting \"serverr\"");
  path = dir.Write("k.toml", "listen = \"127.0.0.1:1\"\n");
  CHECK(ErrorOf({"serve", "--config", path}) == path + ": unknown setting \"listen\"");
  path = dir.Write("k.toml", "\"server.listen\" = \"127.0.0.1:1\"\n");
  CHECK(ErrorOf({"serve", "--config", path}) == path + ": unknown setting \"server.listen\"");
  path = dir.Write("k.toml", "[server.extra]\n");
  CHECK(ErrorOf({"serve", "--config", path}) == path + ": unknown setting \"server.extra\"");
}

TEST_CASE("Dotted keys and empty sections are fine", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "server.listen = \"127.0.0.1:7\"\n[storage]\n");
  CHECK(ServeConfig({"serve", "--config", path}).listen_port == 7);
}

TEST_CASE("An admin password in the file is rejected without echoing it", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "[admin]\npassword = \"hunter2\"\n");
  const std::string message = ErrorOf({"serve", "--config", path});
  CHECK_THAT(message, Contains(path) && Contains("admin.password") && Contains("KEYMINT_ADMIN_PASSWORD"));
  CHECK_THAT(message, !Contains("hunter2"));
}

TEST_CASE("A bad admin password from the environment is not echoed", "[config]") {
  const std::string message = ErrorOf({}, {{"KEYMINT_ADMIN_PASSWORD", "hunter2\x01"}});
  CHECK_THAT(message, Contains("invalid KEYMINT_ADMIN_PASSWORD"));
  CHECK_THAT(message, !Contains("hunter2"));
}

TEST_CASE("The admin password follows the user service's rule: 8 to 1024 bytes", "[config]") {
  // A shorter one used to pass here and then stop the first start.
  CHECK_THAT(ErrorOf({}, {{"KEYMINT_ADMIN_PASSWORD", "short"}}), Contains("8 to 1024 bytes"));
  CHECK_THAT(ErrorOf({}, {{"KEYMINT_ADMIN_PASSWORD", std::string(1025, 'x')}}), Contains("8 to 1024 bytes"));
  CHECK(ServeConfig({}, {{"KEYMINT_ADMIN_PASSWORD", "eight-ok"}}).admin_password == "eight-ok");
}

TEST_CASE("A file that is not valid TOML is an error naming the file and line", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "[server]\nlisten = \"127.0.0.1:1\"\nthreads = = 2\n");
  CHECK_THAT(ErrorOf({"serve", "--config", path}), Contains(path + ":3:") && Contains("invalid TOML"));
  const std::string duplicate = dir.Write("d.toml", "[server]\nthreads = 1\nthreads = 2\n");
  CHECK_THAT(ErrorOf({"serve", "--config", duplicate}), Contains(duplicate + ":"));
}

TEST_CASE("A named config file that does not exist is an error naming it", "[config]") {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.toml").string();
  CHECK(ErrorOf({"serve", "--config", missing}) ==
        "cannot read config file \"" + missing + "\" (named by --config): No such file or directory");
  CHECK_THAT(ErrorOf({}, {{"KEYMINT_CONFIG", missing}}), Contains(missing) && Contains("KEYMINT_CONFIG"));
  CHECK_THAT(ErrorOf({"serve", "--config", dir.path().string()}), Contains("cannot read config file"));
}

TEST_CASE("A broken default config file is an error, not silently skipped", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  dir.Write("config/keymint.toml", "[server]\nthreads = 0\n");
  CHECK(ErrorOf({}) == "config/keymint.toml: invalid server.threads: expected an integer between 1 and 256, got 0");
}

TEST_CASE("A bad value in the file is an error even when a flag overrides it", "[config]") {
  TempDir dir;
  const std::string path = dir.Write("k.toml", "[server]\nthreads = 0\n");
  CHECK_THAT(ErrorOf({"serve", "--config", path, "--threads", "2"}), Contains("server.threads"));
}

// ---------------------------------------------------------------------------
// The shipped example file

TEST_CASE("The shipped example config loads and equals the defaults", "[config]") {
  const std::string path = ShippedExamplePath();
  REQUIRE(fs::exists(path));
  Config config = ServeConfig({"serve", "--config", path});
  CHECK(config.config_path == path);
  config.config_path.clear();
  CHECK(config == Config{});
}

TEST_CASE("The shipped example config documents every file setting", "[config]") {
  const std::string text = ReadAll(ShippedExamplePath());
  for (const auto& setting : config::Settings()) {
    if (setting.toml_path.empty()) continue;
    const std::string path(setting.toml_path);
    const std::string section = "[" + path.substr(0, path.find('.')) + "]\n";
    const std::string key = path.substr(path.find('.') + 1);
    CAPTURE(path);
    const auto section_at = text.find(section);
    REQUIRE(section_at != std::string::npos);
    const auto section_end = text.find("\n[", section_at + 1);
    const std::string body = text.substr(section_at, section_end - section_at);
    const bool documented =
        body.find("\n" + key + " = ") != std::string::npos || body.find("\n# " + key + " = ") != std::string::npos;
    CHECK(documented);
    if (!setting.env.empty()) CHECK_THAT(body, Contains(std::string(setting.env)));
  }
  CHECK_THAT(text, Contains("KEYMINT_ADMIN_PASSWORD"));
}

// ---------------------------------------------------------------------------
// TLS: the certificate and key come as a pair, from any mix of sources

TEST_CASE("The TLS certificate and key come from flags, the environment or the file by precedence", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const std::string path = dir.Write("k.toml", "[tls]\ncert = \"/file/cert.pem\"\nkey = \"/file/key.pem\"\n");
  const Config from_file = ServeConfig({"serve", "--config", path});
  CHECK(from_file.tls_cert == "/file/cert.pem");
  CHECK(from_file.tls_key == "/file/key.pem");
  const Config env_over_file = ServeConfig(
      {"serve", "--config", path}, {{"KEYMINT_TLS_CERT", "/env/cert.pem"}, {"KEYMINT_TLS_KEY", "/env/key.pem"}});
  CHECK(env_over_file.tls_cert == "/env/cert.pem");
  CHECK(env_over_file.tls_key == "/env/key.pem");
  const Config flag_over_env =
      ServeConfig({"serve", "--tls-cert", "/flag/cert.pem", "--tls-key=/flag/key.pem"},
                  {{"KEYMINT_TLS_CERT", "/env/cert.pem"}, {"KEYMINT_TLS_KEY", "/env/key.pem"}});
  CHECK(flag_over_env.tls_cert == "/flag/cert.pem");
  CHECK(flag_over_env.tls_key == "/flag/key.pem");
  // The pair may come from two sources.
  const Config mixed = ServeConfig({"serve", "--tls-cert", "/flag/cert.pem"}, {{"KEYMINT_TLS_KEY", "/env/key.pem"}});
  CHECK(mixed.tls_cert == "/flag/cert.pem");
  CHECK(mixed.tls_key == "/env/key.pem");
  CHECK(ServeConfig({"serve"}).tls_cert.empty());
}

TEST_CASE("Only one of the TLS certificate and key is an error naming the missing one", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK_THAT(ErrorOf({"serve", "--tls-cert", "c.pem"}),
             Contains("tls.cert (--tls-cert, KEYMINT_TLS_CERT) is set but tls.key is not"));
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_TLS_KEY", "k.pem"}}),
             Contains("tls.key (--tls-key, KEYMINT_TLS_KEY) is set but tls.cert is not"));
  const std::string path = dir.Write("k.toml", "[tls]\nkey = \"k.pem\"\n");
  CHECK_THAT(ErrorOf({"serve", "--config", path}), Contains("is set but tls.cert is not"));
  CHECK_THAT(ErrorOf({"serve", "--tls-cert", ""}), Contains("--tls-cert"));
}

TEST_CASE("With TLS the derived issuer is https and a configured one is kept", "[config]") {
  Config config;
  config.tls_cert = "c.pem";
  config.tls_key = "k.pem";
  CHECK(EffectiveIssuer(config, 8443) == "https://127.0.0.1:8443");
  config.issuer = "https://auth.example.com";
  CHECK(EffectiveIssuer(config, 8443) == "https://auth.example.com");
}

// ---------------------------------------------------------------------------
// EffectiveIssuer, UsageText, ProcessEnvironment

TEST_CASE("The deprecated paths are deprecated since 2025-01-01 with no sunset unless configured", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config config = ServeConfig({"serve"});
  CHECK(config.deprecation_date == 1735689600);  // 2025-01-01T00:00:00Z
  CHECK_FALSE(config.sunset_date.has_value());
}

TEST_CASE("A sunset before the deprecation date is refused, the same day is fine", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ErrorOf({}, {{"KEYMINT_SUNSET_DATE", "2024-12-31"}}) ==
        "deprecation.sunset_date must not be before deprecation.date");
  CHECK(ErrorOf({}, {{"KEYMINT_DEPRECATION_DATE", "2026-06-01"}, {"KEYMINT_SUNSET_DATE", "2026-05-31"}}) ==
        "deprecation.sunset_date must not be before deprecation.date");
  const Config same_day =
      ServeConfig({"serve"}, {{"KEYMINT_DEPRECATION_DATE", "2026-06-01"}, {"KEYMINT_SUNSET_DATE", "2026-06-01"}});
  CHECK(same_day.sunset_date == same_day.deprecation_date);
}

TEST_CASE("The effective issuer is the configured one when set", "[config]") {
  Config config;
  config.issuer = "https://auth.example.com";
  CHECK(EffectiveIssuer(config, 1234) == "https://auth.example.com");
}

TEST_CASE("The effective issuer defaults to the listen host and the bound port", "[config]") {
  Config config;
  CHECK(EffectiveIssuer(config, 8080) == "http://127.0.0.1:8080");
  config.listen_port = 0;
  CHECK(EffectiveIssuer(config, 41234) == "http://127.0.0.1:41234");
  config.listen_host = "localhost";
  CHECK(EffectiveIssuer(config, 1) == "http://localhost:1");
}

TEST_CASE("The effective issuer keeps an IPv6 host in brackets", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config config = ServeConfig({"serve", "--listen", "[::1]:0"});
  CHECK(EffectiveIssuer(config, 5555) == "http://[::1]:5555");
}

TEST_CASE("The usage text lists the commands, every flag and every environment variable", "[config]") {
  const std::string usage = UsageText();
  CHECK_THAT(usage, Contains("keymint serve") && Contains("--help") && Contains("--version") && Contains("--config") &&
                        Contains("KEYMINT_CONFIG"));
  for (const auto& setting : config::Settings()) {
    if (!setting.flag.empty()) CHECK_THAT(usage, Contains(std::string(setting.flag)));
    if (!setting.env.empty()) CHECK_THAT(usage, Contains(std::string(setting.env)));
  }
}

TEST_CASE("The process environment includes variables set in this process", "[config]") {
  REQUIRE(setenv("KEYMINT_CONFIG_TEST_VARIABLE", "a=b", 1) == 0);
  const auto env = ProcessEnvironment();
  unsetenv("KEYMINT_CONFIG_TEST_VARIABLE");
  const auto it = env.find("KEYMINT_CONFIG_TEST_VARIABLE");
  REQUIRE(it != env.end());
  CHECK(it->second == "a=b");
}

TEST_CASE("The admin listener is off by default and set by flag, environment or file, flag first", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ServeConfig({"serve"}).admin_listen_host.empty());
  const std::string path = dir.Write("k.toml", "[server]\nadmin_listen = \"127.0.0.1:9001\"\n");
  const Config from_file = ServeConfig({"serve", "--config", path});
  CHECK(from_file.admin_listen_host == "127.0.0.1");
  CHECK(from_file.admin_listen_port == 9001);
  const Config from_env = ServeConfig({"serve", "--config", path}, {{"KEYMINT_ADMIN_LISTEN", "[::1]:9002"}});
  CHECK(from_env.admin_listen_host == "::1");
  CHECK(from_env.admin_listen_port == 9002);
  const Config from_flag = ServeConfig({"serve", "--config", path, "--admin-listen", "localhost:0"},
                                       {{"KEYMINT_ADMIN_LISTEN", "[::1]:9002"}});
  CHECK(from_flag.admin_listen_host == "localhost");
  CHECK(from_flag.admin_listen_port == 0);
  // The main listener is untouched.
  CHECK(from_flag.listen_host == "127.0.0.1");
  CHECK(from_flag.listen_port == 8080);
}

TEST_CASE("A bad admin listen address stops start-up naming the setting", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK_THAT(ErrorOf({"serve", "--admin-listen", "example.com:80"}), Contains("--admin-listen"));
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_ADMIN_LISTEN", "127.0.0.1:65536"}}), Contains("KEYMINT_ADMIN_LISTEN"));
  const std::string path = dir.Write("k.toml", "[server]\nadmin_listen = 9000\n");
  CHECK_THAT(ErrorOf({"serve", "--config", path}), Contains("server.admin_listen"));
}

// ---------------------------------------------------------------------------
// The log level: flag, environment or file, flag first

TEST_CASE("The log level is info by default and set by flag, environment or file, flag first", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ServeConfig({"serve"}).log_level == "info");
  const std::string path = dir.Write("k.toml", "[log]\nlevel = \"warn\"\n");
  CHECK(ServeConfig({"serve", "--config", path}).log_level == "warn");
  CHECK(ServeConfig({"serve", "--config", path}, {{"KEYMINT_LOG_LEVEL", "off"}}).log_level == "off");
  CHECK(ServeConfig({"serve", "--config", path, "--log-level", "debug"}, {{"KEYMINT_LOG_LEVEL", "off"}}).log_level ==
        "debug");
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    CHECK(ServeConfig({"serve", "--log-level", level}).log_level == level);
  }
}

TEST_CASE("An unknown log level stops start-up naming the setting", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK_THAT(ErrorOf({"serve", "--log-level", "verbose"}), Contains("--log-level"));
  CHECK_THAT(ErrorOf({"serve", "--log-level", "INFO"}), Contains("trace, debug, info, warn, error or off"));
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_LOG_LEVEL", "warning"}}), Contains("KEYMINT_LOG_LEVEL"));
  const std::string path = dir.Write("k.toml", "[log]\nlevel = 3\n");
  CHECK_THAT(ErrorOf({"serve", "--config", path}), Contains("log.level"));
}

TEST_CASE("The credential lifecycle's limits come from the file, the environment, in that precedence", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const std::string path = dir.Write("k.toml", "[credentials]\nmax_grace_seconds = 600\nmax_lifetime_days = 90\n");
  Config config = ServeConfig({"serve", "--config", path});
  CHECK(config.max_grace_seconds == 600);
  CHECK(config.max_lifetime_days == 90);

  config = ServeConfig({"serve", "--config", path},
                       {{"KEYMINT_MAX_GRACE_SECONDS", "0"}, {"KEYMINT_MAX_LIFETIME_DAYS", "36500"}});
  CHECK(config.max_grace_seconds == 0);
  CHECK(config.max_lifetime_days == 36500);

  config = ServeConfig({"serve"}, {{"KEYMINT_MAX_GRACE_SECONDS", "2592000"}});
  CHECK(config.max_grace_seconds == 2592000);
  CHECK(config.max_lifetime_days == 0);
}

TEST_CASE("The deny list's bound is 100000 by default and set by environment or file, 1 to 10000000", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ServeConfig({}).revocation_max_entries == 100000);
  CHECK(ServeConfig({"serve"}, {{"KEYMINT_REVOCATION_MAX_ENTRIES", "1"}}).revocation_max_entries == 1);
  const std::string path = dir.Write("k.toml", "[revocation]\nmax_entries = 10000000\n");
  CHECK(ServeConfig({"serve", "--config", path}).revocation_max_entries == 10000000);
  CHECK(ServeConfig({"serve", "--config", path}, {{"KEYMINT_REVOCATION_MAX_ENTRIES", "7"}}).revocation_max_entries ==
        7);
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_REVOCATION_MAX_ENTRIES", "0"}}), Contains("KEYMINT_REVOCATION_MAX_ENTRIES"));
  const std::string too_many = dir.Write("big.toml", "[revocation]\nmax_entries = 10000001\n");
  CHECK_THAT(ErrorOf({"serve", "--config", too_many}), Contains("revocation.max_entries"));
}

TEST_CASE("The shared store is off by default and named by --store, KEYMINT_STORE or store.url", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Config defaults = ServeConfig({});
  CHECK(defaults.store_url.empty());
  CHECK(defaults.store_connections == 8);
  CHECK(defaults.store_cache_entries == 100000);
  CHECK(defaults.store_max_staleness_ms == 1000);

  const std::string url = "postgres://keymint@127.0.0.1:5432/keymint";
  CHECK(ServeConfig({"serve", "--store", url}).store_url == url);
  CHECK(ServeConfig({"serve"}, {{"KEYMINT_STORE", "postgresql://db.internal/keymint"}}).store_url ==
        "postgresql://db.internal/keymint");
  const std::string path = dir.Write("k.toml",
                                     "[store]\nurl = \"postgres://a@b/c\"\nconnections = 3\ncache_entries = 16\n"
                                     "max_staleness_ms = 250\n");
  const Config from_file = ServeConfig({"serve", "--config", path});
  CHECK(from_file.store_url == "postgres://a@b/c");
  CHECK(from_file.store_connections == 3);
  CHECK(from_file.store_cache_entries == 16);
  CHECK(from_file.store_max_staleness_ms == 250);
  CHECK(ServeConfig({"serve", "--config", path, "--store", url}).store_url == url);
}

TEST_CASE("A store URL that is not postgres is refused without echoing it: it may carry a password", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  for (const std::string bad :
       {"mysql://root:hunter2@db/keymint", "postgres://root:hunter2@db/key mint", "hunter2", "file:///tmp/db"}) {
    const std::string error = ErrorOf({"serve", "--store", bad});
    CHECK_THAT(error, Contains("--store"));
    CHECK_THAT(error, Contains("postgres://"));
    CHECK(error.find("hunter2") == std::string::npos);
  }
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_STORE_MAX_STALENESS_MS", "99"}}),
             Contains("KEYMINT_STORE_MAX_STALENESS_MS"));
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_STORE_CONNECTIONS", "0"}}), Contains("KEYMINT_STORE_CONNECTIONS"));
  CHECK_THAT(ErrorOf({"serve"}, {{"KEYMINT_STORE_CACHE_ENTRIES", "15"}}), Contains("KEYMINT_STORE_CACHE_ENTRIES"));
}

TEST_CASE("The keys directory is re-read every second by default; 0 turns that off", "[config]") {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  CHECK(ServeConfig({}).signing_refresh_interval_ms == 1000);
  CHECK(ServeConfig({"serve"}, {{"KEYMINT_SIGNING_REFRESH_INTERVAL_MS", "0"}}).signing_refresh_interval_ms == 0);
  const std::string path = dir.Write("k.toml", "[signing]\nrefresh_interval_ms = 60000\n");
  CHECK(ServeConfig({"serve", "--config", path}).signing_refresh_interval_ms == 60000);
  const std::string too_long = dir.Write("big.toml", "[signing]\nrefresh_interval_ms = 60001\n");
  CHECK_THAT(ErrorOf({"serve", "--config", too_long}), Contains("signing.refresh_interval_ms"));
}

}  // namespace
}  // namespace keymint
