// Process lifecycle: command line, configuration errors, first start,
// restart on the same directories, clean stop, and what reaches the disk.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> LinesContaining(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  for (const std::string& line : NonEmptyLines(text)) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

// Every "<file> contains <label>" for the needles found in regular files under `dir`.
std::vector<std::string> FindPlaintext(const std::string& dir,
                                       const std::vector<std::pair<std::string, std::string>>& needles) {
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string bytes = ReadFileBytes(it->path().string());
    for (const auto& [label, needle] : needles) {
      if (!needle.empty() && bytes.find(needle) != std::string::npos) {
        found.push_back(it->path().string() + " contains " + label);
      }
    }
  }
  return found;
}

bool DirectoryIsEmpty(const std::string& dir) {
  std::error_code ec;
  return fs::is_empty(dir, ec) && !ec;
}

json::array UserList(uint16_t port, const std::string& admin) {
  const HttpResponse response = Get(port, "/api/v1/users", admin);
  INFO("users: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const json::value body = response.Json();
  REQUIRE(body.is_array());
  return body.as_array();
}

std::string KeyLastLogin(uint16_t port, const std::string& token, const std::string& key_id) {
  const HttpResponse response = Get(port, "/api/v1/access-keys/" + key_id, token);
  INFO("key: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const json::value body = response.Json();
  const json::value& last_login = body.as_object().at("lastLogin");
  return last_login.is_string() ? std::string(last_login.as_string()) : "";
}

}  // namespace

TEST_CASE("keymint --help and --version exit 0 and say something useful", "[integration]") {
  const CommandResult help = RunKeymint({"--help"});
  INFO("--help output: " << help.output);
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("serve") != std::string::npos);
  CHECK(help.output.find("--listen") != std::string::npos);

  const CommandResult version = RunKeymint({"--version"});
  INFO("--version output: " << version.output);
  CHECK(version.exit_code == 0);
  CHECK(std::regex_search(version.output, std::regex(R"(\d+\.\d+\.\d+)")));
}

TEST_CASE("a bad setting stops start-up with one line naming it and nothing listening", "[integration]") {
  const ScopedTempDir data_dir, keys_dir, config_dir;
  const std::string unknown_key_config = config_dir.path + "/unknown.toml";
  {
    std::ofstream out(unknown_key_config);
    out << "no_such_setting = 1\n";
  }
  const std::string bad_value_config = config_dir.path + "/bad.toml";
  {
    std::ofstream out(bad_value_config);
    out << "[server]\nbody_limit_bytes = \"lots\"\n";
  }

  const std::string password_config = config_dir.path + "/password.toml";
  {
    std::ofstream out(password_config);
    out << "[admin]\npassword = \"in-a-file\"\n";
  }

  struct Case {
    std::string label;
    std::vector<std::string> args;  // after `serve`; --listen 127.0.0.1:0 is added unless given
    std::map<std::string, std::string> env;
    std::vector<std::string> names;  // the line must mention one of these (case-insensitive)
  };
  const std::vector<Case> cases = {
      {"KEYMINT_TOKEN_TTL=abc", {}, {{"KEYMINT_TOKEN_TTL", "abc"}}, {"ttl"}},
      {"KEYMINT_TOKEN_TTL=0", {}, {{"KEYMINT_TOKEN_TTL", "0"}}, {"ttl"}},
      {"KEYMINT_TOKEN_TTL=86401", {}, {{"KEYMINT_TOKEN_TTL", "86401"}}, {"ttl"}},
      {"KEYMINT_TOKEN_TTL=3600x", {}, {{"KEYMINT_TOKEN_TTL", "3600x"}}, {"ttl"}},
      {"--listen nonsense", {"--listen", "nonsense"}, {}, {"listen"}},
      {"--listen with a bad port", {"--listen", "127.0.0.1:99999"}, {}, {"listen"}},
      {"KEYMINT_LISTEN nonsense", {}, {{"KEYMINT_LISTEN", "nonsense"}}, {"listen"}},
      {"unknown flag", {"--frobnicate"}, {}, {"frobnicate"}},
      {"--threads abc", {"--threads", "abc"}, {}, {"threads"}},
      {"KEYMINT_THREADS=0", {}, {{"KEYMINT_THREADS", "0"}}, {"threads"}},
      {"unreadable config file", {"--config", config_dir.path + "/missing.toml"}, {}, {"config", "missing.toml"}},
      {"unknown config key", {"--config", unknown_key_config}, {}, {"no_such_setting"}},
      {"mistyped config value", {"--config", bad_value_config}, {}, {"body_limit_bytes"}},
      {"admin password in the file", {"--config", password_config}, {}, {"password"}},
      {"KEYMINT_DEPRECATION_DATE not a date", {}, {{"KEYMINT_DEPRECATION_DATE", "2025-02-30"}}, {"deprecation_date"}},
      {"sunset before deprecation",
       {},
       {{"KEYMINT_DEPRECATION_DATE", "2026-01-01"}, {"KEYMINT_SUNSET_DATE", "2025-12-31"}},
       {"sunset_date"}},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.label);
    std::vector<std::string> args = {"serve", "--data-dir", data_dir.path, "--keys-dir", keys_dir.path};
    if (std::find(c.args.begin(), c.args.end(), "--listen") == c.args.end() && !c.env.count("KEYMINT_LISTEN")) {
      args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    }
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CommandResult result = RunKeymint(args, c.env);
    INFO("exit " << result.exit_code << ", output:\n" << result.output);
    CHECK(result.exit_code > 0);  // a normal non-zero exit, not our kill after 15 s
    CHECK(result.output.find("listening on") == std::string::npos);
    // One line names the setting; a generic "(see keymint --help)" hint may follow.
    std::vector<std::string> lines = NonEmptyLines(result.output);
    lines.erase(std::remove(lines.begin(), lines.end(), "(see keymint --help)"), lines.end());
    REQUIRE(lines.size() == 1);
    const bool named = std::any_of(c.names.begin(), c.names.end(), [&](const std::string& name) {
      return Lower(lines[0]).find(Lower(name)) != std::string::npos;
    });
    CHECK(named);
    CHECK(DirectoryIsEmpty(data_dir.path));
    CHECK(DirectoryIsEmpty(keys_dir.path));
  }
}

TEST_CASE("a first start without an admin password prints a generated one once, and it works", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  options.env["KEYMINT_ADMIN_PASSWORD"] = "";  // removed
  options.env["KEYMINT_ADMIN_EMAIL"] = "";     // removed: the default applies
  const std::string email = "admin@keymint.local";
  const std::string prefix = "keymint: first admin " + email + " created; password: ";

  std::string password, admin_id;
  {
    KeymintProcess server(options);
    const std::string text = server.StderrText();
    INFO("stderr:\n" << text);
    const std::vector<std::string> lines = LinesContaining(text, "first admin");
    REQUIRE(lines.size() == 1);
    REQUIRE(lines[0].rfind(prefix, 0) == 0);
    password = lines[0].substr(prefix.size());
    REQUIRE(password.size() >= 12);

    const std::string token = PasswordToken(server.port(), email, password);
    const json::object claims = JwtClaims(token);
    CHECK(StringField(claims, "preferred_username") == email);
    const json::array users = UserList(server.port(), token);
    REQUIRE(users.size() == 1);
    const json::object& admin = users[0].as_object();
    CHECK(StringField(admin, "username") == email);
    CHECK(admin.at("roles") == json::array{"System administrator"});
    admin_id = StringField(admin, "id");
    CHECK(IsUuidV4(admin_id));
    CHECK(server.Stop() == 0);
  }
  {
    INFO("the generated password is stored only as a hash");
    const std::vector<std::pair<std::string, std::string>> needles = {{"the admin password", password}};
    const std::vector<std::string> data_hits = FindPlaintext(data_dir.path, needles);
    const std::vector<std::string> key_hits = FindPlaintext(keys_dir.path, needles);
    CHECK(data_hits == std::vector<std::string>{});
    CHECK(key_hits == std::vector<std::string>{});
  }
  {
    INFO("a restart neither recreates the admin nor prints a password; the old one still works");
    KeymintProcess server(options);
    const std::string text = server.StderrText();
    INFO("stderr:\n" << text);
    CHECK(LinesContaining(text, "first admin").empty());
    CHECK(text.find(password) == std::string::npos);
    const std::string token = PasswordToken(server.port(), email, password);
    const json::array users = UserList(server.port(), token);
    REQUIRE(users.size() == 1);
    CHECK(StringField(users[0].as_object(), "id") == admin_id);
    CHECK(server.Stop() == 0);
  }
}

TEST_CASE("the generated signing key file is private to the owner", "[integration]") {
  KeymintProcess server;
  const std::vector<std::string> pems = PemFiles(server.keys_dir());
  REQUIRE(pems.size() == 1);
  struct stat info {};
  REQUIRE(stat(pems[0].c_str(), &info) == 0);
  INFO("mode " << std::oct << (info.st_mode & 07777));
  CHECK((info.st_mode & 07777) == 0600);
  CHECK(ReadFileBytes(pems[0]).find("PRIVATE KEY-----") != std::string::npos);
  {
    INFO("the admin password given in the environment is not printed");
    CHECK(server.StderrText().find(kAdminPassword) == std::string::npos);
    CHECK(LinesContaining(server.StderrText(), "password:").empty());
  }
}

TEST_CASE("a missing secret-hash key with stored client credentials stops start-up instead of replacing it",
          "[integration][rocksdb]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  CreatedKey key;
  {
    KeymintProcess server(options);
    key = CreateAccessKey(server.port(), AdminToken(server.port()), "survivor");
    CHECK(server.Stop() == 0);
  }
  const std::string key_file = data_dir.path + "/secret-hash.key";
  REQUIRE(std::filesystem::exists(key_file));
  const std::string saved = ReadFileBytes(key_file);
  std::filesystem::remove(key_file);

  const CommandResult refused =
      RunKeymint({"serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir.path, "--keys-dir", keys_dir.path});
  INFO("output:\n" << refused.output);
  CHECK(refused.exit_code > 0);
  CHECK(refused.output.find("secret-hash.key") != std::string::npos);
  CHECK(refused.output.find("listening on") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(key_file));  // not silently replaced

  // Restoring the file brings every secret back.
  std::ofstream(key_file, std::ios::binary) << saved;
  KeymintProcess server(options);
  CHECK_FALSE(ClientCredentialsToken(server.port(), key.client_id, key.client_secret).empty());
}

TEST_CASE("a restart on the same directories keeps users, keys, lastLogin and the signing key", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;

  std::string kid, admin_id, first_login;
  std::vector<std::string> pems;
  CreatedUser user;
  CreatedKey key;
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    const std::string admin = AdminToken(port);
    user = CreateUser(port, admin, "dana@example.com", {"Editor"});
    key = CreateAccessKey(port, user.token, "dana-ci");
    REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());
    first_login = WaitForLastLogin(port, user.token, "/api/v1/access-keys/" + key.id);
    REQUIRE_FALSE(first_login.empty());
    kid = StringField(OnlyJwk(port), "kid");
    admin_id = UserIdByEmail(port, admin, kAdminEmail);
    pems = PemFiles(keys_dir.path);
    REQUIRE(pems.size() == 1);

    // A second exchange right before the stop: the clean stop must not lose it.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());
    CHECK(server.Stop() == 0);
  }
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    CHECK(LinesContaining(server.StderrText(), "first admin").empty());
    const std::string admin = AdminToken(port);  // the old admin password still works
    CHECK(StringField(OnlyJwk(port), "kid") == kid);
    CHECK(PemFiles(keys_dir.path) == pems);

    const json::array users = UserList(port, admin);
    CHECK(users.size() == 2);
    int admins = 0;
    for (const json::value& entry : users) {
      if (StringField(entry.as_object(), "username") == kAdminEmail) {
        ++admins;
        CHECK(StringField(entry.as_object(), "id") == admin_id);
      }
    }
    CHECK(admins == 1);
    CHECK(UserIdByEmail(port, admin, "dana@example.com") == user.id);

    // The user's password survives too; their old token does not help here, its
    // issuer named the previous port.
    const std::string dana = PasswordToken(port, user.email, user.password);
    const std::string after = KeyLastLogin(port, dana, key.id);
    INFO("lastLogin before the stop: " << first_login << ", after the restart: " << after);
    CHECK(IsTimestamp(after));
    CHECK(after > first_login);  // the exchange made just before the stop survived it

    const std::string token = ClientCredentialsToken(port, key.client_id, key.client_secret);
    REQUIRE_FALSE(token.empty());
    const json::object claims = JwtClaims(token);
    CHECK(StringField(claims, "sub") == user.id);
    CHECK(StringField(JwtHeader(token), "kid") == kid);
    CHECK(server.Stop() == 0);
  }
}

TEST_CASE("SIGTERM and SIGINT stop the server cleanly with exit status 0", "[integration]") {
  for (const int signal_number : {SIGTERM, SIGINT}) {
    INFO("signal " << signal_number);
    KeymintProcess server;
    const uint16_t port = server.port();
    REQUIRE(Get(port, "/.well-known/jwks.json").status == 200);
    CHECK(server.StopWith(signal_number) == 0);
    const HttpResponse after = Get(port, "/.well-known/jwks.json");
    INFO("after stop: " << after.status << " " << after.body);
    CHECK(after.status == 0);  // nothing listens any more
  }
}

TEST_CASE("a crash right after acknowledged writes loses none of them", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;

  CreatedKey kept, removed;
  std::string new_secret, user_id;
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    const std::string admin = AdminToken(port);
    kept = CreateAccessKey(port, admin, "kept");
    removed = CreateAccessKey(port, admin, "removed");

    const HttpResponse user = PostJson(
        port, "/api/v1/users", json::object{{"email", "frank@example.com"}, {"roles", json::array{"Viewer"}}}, admin);
    REQUIRE(user.status == 201);
    user_id = StringField(user.Json().as_object(), "id");
    REQUIRE(PutJson(port, "/api/v1/users/" + user_id + "/roles",
                    json::object{{"roles", json::array{"Research manager"}}}, admin)
                .status == 200);
    REQUIRE(Delete(port, "/api/v1/access-keys/" + removed.id, admin).status == 204);
    const HttpResponse regenerated =
        Send(port, "POST", "/api/v1/access-keys/" + kept.id + "/secret", "", {{"Authorization", "Bearer " + admin}});
    REQUIRE(regenerated.status == 200);
    new_secret = StringField(regenerated.Json().as_object(), "clientSecret");
    CHECK(server.StopWith(SIGKILL) == -SIGKILL);
  }
  {
    KeymintProcess server(options);
    const uint16_t port = server.port();
    CHECK(LinesContaining(server.StderrText(), "first admin").empty());
    const std::string admin = AdminToken(port);
    const std::string token = ClientCredentialsToken(port, kept.client_id, new_secret);
    CHECK_FALSE(token.empty());
    CHECK(ClientCredentialsToken(port, kept.client_id, kept.client_secret).empty());
    CHECK(ClientCredentialsToken(port, removed.client_id, removed.client_secret).empty());
    const HttpResponse user = Get(port, "/api/v1/users/" + user_id, admin);
    INFO("user after the crash: " << user.status << " " << user.body);
    REQUIRE(user.status == 200);
    CHECK(user.Json().as_object().at("roles") == json::array{"Research manager"});
  }
}

TEST_CASE("settings come from flags, then environment, then the config file", "[integration]") {
  const ScopedTempDir config_dir;
  const std::string config = config_dir.path + "/keymint.toml";
  {
    std::ofstream out(config);
    out << "[server]\nbody_limit_bytes = 2048\n"
        << "[tokens]\nttl_seconds = 120\nissuer = \"https://file.example.test\"\n"
        << "audience = \"https://file-audience.example.test\"\n"
        << "[roles]\nextra = [\"Auditor\"]\n";
  }
  {
    INFO("the file alone");
    ProcessOptions options;
    options.extra_args = {"--config", config};
    KeymintProcess server(options);
    const uint16_t port = server.port();
    const HttpResponse login = PasswordLogin(port, kAdminEmail, kAdminPassword);
    REQUIRE(login.status == 200);
    const json::object body = login.Json().as_object();
    CHECK(body.at("expiresIn") == 120);
    const std::string token = StringField(body, "accessToken");
    const json::object claims = JwtClaims(token);
    CHECK(StringField(claims, "iss") == "https://file.example.test");
    CHECK(StringField(claims, "aud") == "https://file-audience.example.test");
    CHECK(Get(port, "/api/v1/authorization/roles", token).body.find("\"Auditor\"") != std::string::npos);
    const std::string over = R"({"name":")" + std::string(3000, 'a') + R"("})";
    CheckError(Send(port, "POST", "/api/v1/access-keys", over,
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}),
               413);
  }
  {
    INFO("the environment over the file, a flag over both; KEYMINT_CONFIG names the file");
    ProcessOptions options;
    options.env["KEYMINT_CONFIG"] = config;
    options.env["KEYMINT_TOKEN_TTL"] = "300";
    options.env["KEYMINT_ISSUER"] = "https://env.example.test";
    options.extra_args = {"--issuer", "https://flag.example.test"};
    KeymintProcess server(options);
    const HttpResponse login = PasswordLogin(server.port(), kAdminEmail, kAdminPassword);
    REQUIRE(login.status == 200);
    const json::object body = login.Json().as_object();
    CHECK(body.at("expiresIn") == 300);
    const json::object claims = JwtClaims(StringField(body, "accessToken"));
    CHECK(StringField(claims, "iss") == "https://flag.example.test");
    CHECK(StringField(claims, "aud") == "https://file-audience.example.test");
  }
}

TEST_CASE("client secrets and passwords never reach the disk or the log in plaintext", "[integration]") {
  const ScopedTempDir data_dir, keys_dir;
  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  KeymintProcess server(options);
  const uint16_t port = server.port();

  const std::string admin = AdminToken(port);
  const CreatedUser user = CreateUser(port, admin, "erin@example.com", {"Viewer"});
  const CreatedKey key = CreateAccessKey(port, user.token, "erin-key");
  REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());
  REQUIRE(PostForm(port, "/api/v2/token",
                   "grant_type=client_credentials&client_id=" + key.client_id + "&client_secret=" + key.client_secret)
              .status == 200);
  const HttpResponse regenerated =
      Send(port, "POST", "/api/v1/access-keys/" + key.id + "/secret", "", {{"Authorization", "Bearer " + user.token}});
  REQUIRE(regenerated.status == 200);
  const std::string new_secret = StringField(regenerated.Json().as_object(), "clientSecret");
  REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, new_secret).empty());
  // A failed exchange with a guessed secret is not logged either.
  const std::string guessed = key.client_secret + "guess";
  REQUIRE(ClientCredentialsToken(port, key.client_id, guessed).empty());
  REQUIRE_FALSE(WaitForLastLogin(port, user.token, "/api/v1/access-keys/" + key.id).empty());

  const std::vector<std::pair<std::string, std::string>> needles = {
      {"the first client secret", key.client_secret},
      {"the regenerated client secret", new_secret},
      {"a guessed client secret", guessed},
      {"the admin password", kAdminPassword},
      {"the user's temporary password", user.password},
  };
  {
    INFO("while running (the write-ahead log holds recent writes uncompressed)");
    CHECK(FindPlaintext(data_dir.path, needles) == std::vector<std::string>{});
    CHECK(FindPlaintext(keys_dir.path, needles) == std::vector<std::string>{});
  }
  REQUIRE(server.Stop() == 0);
  {
    INFO("after a clean stop");
    CHECK(FindPlaintext(data_dir.path, needles) == std::vector<std::string>{});
    CHECK(FindPlaintext(keys_dir.path, needles) == std::vector<std::string>{});
  }
  {
    INFO("nor in the server's own output");
    const std::string text = server.StderrText();
    for (const auto& [label, needle] : needles) {
      INFO(label);
      CHECK(text.find(needle) == std::string::npos);
    }
  }
}

}  // namespace keymint::testing

namespace keymint::testing {
namespace {

TEST_CASE("SIGTERM sent as soon as keymint says it listens stops it cleanly", "[lifecycle]") {
  // The line used to come before the signal handlers were installed: a stop
  // sent on reading it could kill the process (seen as exit -15 under load).
  for (int i = 0; i < 10; ++i) {
    KeymintProcess server;
    CHECK(server.Stop() == 0);
  }
}

}  // namespace
}  // namespace keymint::testing
