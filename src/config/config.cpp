// Reading keymint's settings: the command line, then the sources in
// increasing precedence (file, environment, flags), each value converted to
// the row's type and handed to the row's apply function (settings_table.cpp).
#include "keymint/config/config.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "config/command_line.hpp"
#include "config/migrate_command.hpp"
#include "config/restore_command.hpp"
#include "config/settings_table.hpp"

namespace keymint {
namespace {

using config::AsksForHelp;
using config::FlagName;
using config::IsHelpFlag;
using config::Quote;
using config::Setting;
using config::SettingInput;
using config::SettingKind;
using config::Settings;
using config::TakeFlagValue;

constexpr std::string_view kDefaultConfigPath = "config/keymint.toml";
constexpr std::string_view kConfigFlag = "--config";
constexpr std::string_view kConfigEnv = "KEYMINT_CONFIG";
// A config file is a few KiB; the cap keeps `--config /dev/zero` from eating memory.
constexpr std::size_t kMaxConfigFileBytes = std::size_t{1024} * 1024;

Error Invalid(std::string message) { return Error::InvalidArgument(std::move(message)); }

// "invalid KEYMINT_TOKEN_TTL: <detail>" / "invalid --listen: <detail>".
Error InvalidValue(std::string_view source_name, std::string_view detail) {
  return Invalid("invalid " + std::string(source_name) + ": " + std::string(detail));
}

// "config/keymint.toml: invalid tokens.ttl_seconds: <detail>".
Error InvalidInFile(const std::string& file, std::string_view toml_path, std::string_view detail) {
  return Invalid(file + ": invalid " + std::string(toml_path) + ": " + std::string(detail));
}

const Setting* FindByFlag(std::string_view flag) {
  for (const Setting& setting : Settings()) {
    if (!setting.flag.empty() && setting.flag == flag) return &setting;
  }
  return nullptr;
}

const Setting* FindByTomlPath(std::string_view path) {
  for (const Setting& setting : Settings()) {
    if (!setting.toml_path.empty() && setting.toml_path == path) return &setting;
  }
  return nullptr;
}

const config::ForbiddenKey* FindForbidden(std::string_view path) {
  for (const auto& forbidden : config::ForbiddenKeys()) {
    if (forbidden.toml_path == path) return &forbidden;
  }
  return nullptr;
}

// True for "server", "tokens", ...: a table the file may open.
bool IsSection(std::string_view path) {
  for (const Setting& setting : Settings()) {
    if (setting.toml_path.size() > path.size() && setting.toml_path.starts_with(path) &&
        setting.toml_path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

// ----------------------------------------------------------------------------
// The command line

struct Invocation {
  Command::Kind kind = Command::Kind::kServe;
  std::optional<std::string> config_flag;
  std::vector<std::pair<const Setting*, std::string>> flags;  // in the order given
};

Status ExpectNoMoreArguments(const std::vector<std::string>& args) {
  if (args.size() > 1) return Invalid("unexpected argument " + Quote(args[1]) + " after " + args[0]);
  return Status::Ok();
}

Result<Invocation> ParseServeFlags(const std::vector<std::string>& args) {
  Invocation invocation;
  if (AsksForHelp(args)) {
    invocation.kind = Command::Kind::kHelp;
    return invocation;
  }
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("-")) return Invalid("unexpected argument " + Quote(arg) + " (see keymint --help)");
    const std::string name = FlagName(arg);
    const Setting* setting = FindByFlag(name);
    if (setting == nullptr && name != kConfigFlag) {
      return Invalid("unknown flag " + Quote(name) + " for keymint serve (see keymint --help)");
    }
    ASSIGN_OR_RETURN(std::string value, TakeFlagValue(args, i));
    // Two values for one flag is almost always a script bug; refusing beats
    // guessing which one the operator meant.
    if (!seen.insert(name).second) return Invalid(name + " is given more than once");
    if (setting == nullptr) {
      invocation.config_flag = std::move(value);
    } else {
      invocation.flags.emplace_back(setting, std::move(value));
    }
  }
  return invocation;
}

Result<Invocation> ParseArguments(const std::vector<std::string>& args) {
  if (args.empty()) return Invocation{};
  const std::string& command = args[0];
  if (command == "serve") return ParseServeFlags(args);
  if (IsHelpFlag(command) || command == "help" || command == "--version") {
    if (Status status = ExpectNoMoreArguments(args); !status) return std::move(status).error();
    Invocation invocation;
    invocation.kind = command == "--version" ? Command::Kind::kVersion : Command::Kind::kHelp;
    return invocation;
  }
  if (command.starts_with("-")) {
    const std::string name = FlagName(command);
    if (FindByFlag(name) != nullptr || name == kConfigFlag) {
      return Invalid(name + " is a flag of the serve command: keymint serve " + name + " ...");
    }
    return Invalid("unknown flag " + Quote(name) + " (see keymint --help)");
  }
  return Invalid("unknown command " + Quote(command) + " (see keymint --help)");
}

// ----------------------------------------------------------------------------
// Converting raw values to a setting's type

std::string Shown(const Setting& setting, std::string_view text) {
  return setting.secret ? std::string("a value that is not shown") : Quote(text);
}

// Decimal digits only: "12abc", " 12", "+12", "0x10" and "1e3" are all
// mistakes worth stopping for, not numbers to be guessed at.
std::optional<int64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A value from the environment or a flag. Returns the error detail on failure.
Result<SettingInput> FromText(const Setting& setting, const std::string& text) {
  switch (setting.kind) {
    case SettingKind::kInteger:
      if (auto number = ParseDecimal(text)) return SettingInput{*number, Shown(setting, text)};
      // Out of int64 range or not a number: either way, not within the bounds.
      return Invalid(config::ExpectedGot(setting, Shown(setting, text)));
    case SettingKind::kString:
      return SettingInput{text, Shown(setting, text)};
    case SettingKind::kStringList:
      break;
  }
  return Error::Internal("a list setting has no environment variable or flag");
}

// How a TOML node of the wrong type is shown: with its type, because the
// usual mistake is `threads = "4"` and `got "4"` alone would not explain it.
std::string DescribeNode(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "the string " + Quote(node.as_string()->get());
    case toml::node_type::integer:
      return "the integer " + std::to_string(node.as_integer()->get());
    default:
      break;
  }
  std::ostringstream out;
  node.visit([&out](const auto& value) { out << value; });
  const char* type = node.is_floating_point() ? "float" : node.is_boolean() ? "boolean" : "date/time";
  return std::string("the ") + type + " " + out.str();
}

Result<SettingInput> FromToml(const Setting& setting, const toml::node& node) {
  switch (setting.kind) {
    case SettingKind::kInteger:
      if (const auto* integer = node.as_integer()) return SettingInput{integer->get(), std::to_string(integer->get())};
      break;
    case SettingKind::kString:
      if (const auto* text = node.as_string()) return SettingInput{text->get(), Shown(setting, text->get())};
      break;
    case SettingKind::kStringList: {
      const auto* array = node.as_array();
      if (array == nullptr) break;
      std::vector<std::string> items;
      for (const toml::node& item : *array) {
        const auto* text = item.as_string();
        if (text == nullptr) return Invalid("expected an array of strings, got an array holding " + DescribeNode(item));
        items.push_back(text->get());
      }
      return SettingInput{std::move(items), "an array"};
    }
  }
  return Invalid(config::ExpectedGot(setting, DescribeNode(node)));
}

// ----------------------------------------------------------------------------
// The sources

Status ApplyText(const Setting& setting, std::string_view source_name, const std::string& text, Config& config) {
  auto input = FromText(setting, text);
  if (!input) return InvalidValue(source_name, input.error().message);
  if (auto problem = setting.apply(setting, *input, config)) return InvalidValue(source_name, *problem);
  return Status::Ok();
}

Status ApplyTomlTable(const toml::table& table, const std::string& prefix, const std::string& file, Config& config) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* forbidden = FindForbidden(path)) {
      return Invalid(file + ": " + path + " " + std::string(forbidden->reason));
    }
    // A quoted key with a dot ("server.listen" = ...) is a different key in
    // TOML; treat it as unknown rather than as the setting it resembles.
    const Setting* setting = key.str().find('.') == std::string_view::npos ? FindByTomlPath(path) : nullptr;
    if (setting != nullptr) {
      auto input = FromToml(*setting, node);
      if (!input) return InvalidInFile(file, path, input.error().message);
      if (auto problem = setting->apply(*setting, *input, config)) return InvalidInFile(file, path, *problem);
    } else if (const auto* section = node.as_table(); section != nullptr && IsSection(path)) {
      if (Status status = ApplyTomlTable(*section, path, file, config); !status) return status;
    } else {
      return Invalid(file + ": unknown setting " + Quote(path));
    }
  }
  return Status::Ok();
}

std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return line;
}

// Reads the file ourselves rather than with toml::parse_file so that "cannot
// read" (with errno) and "not valid TOML" stay distinguishable for the user.
Result<std::string> ReadConfigFile(const std::string& path, std::string_view named_by) {
  auto fail = [&](const std::string& why) {
    return Invalid("cannot read config file " + Quote(path) + " (" + std::string(named_by) + "): " + why);
  };
  struct Closer {
    void operator()(std::FILE* stream) const { std::fclose(stream); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) return fail(std::strerror(errno));
  std::string text;
  char buffer[8192];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, got);
    if (text.size() > kMaxConfigFileBytes) return fail("larger than 1 MiB");
  }
  if (std::ferror(file.get())) return fail(std::strerror(errno));  // e.g. EISDIR for a directory
  return text;
}

Status ApplyFile(const std::string& path, std::string_view named_by, Config& config) {
  auto text = ReadConfigFile(path, named_by);
  if (!text) return std::move(text).error();
  toml::table document;
  try {
    document = toml::parse(*text, path);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    return Invalid(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                   ": invalid TOML: " + OneLine(error.description()));
  }
  if (Status status = ApplyTomlTable(document, "", path, config); !status) return status;
  config.config_path = path;
  return Status::Ok();
}

std::optional<std::string> EnvValue(const std::map<std::string, std::string>& env, std::string_view name) {
  const auto it = env.find(std::string(name));
  // Empty counts as unset: `KEYMINT_ISSUER=` in a compose file or a shell
  // export of an unset variable means "no opinion", not "the empty issuer".
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Status ApplyConfigFile(const Invocation& invocation, const std::map<std::string, std::string>& env, Config& config) {
  if (invocation.config_flag) {
    if (invocation.config_flag->empty()) return InvalidValue(kConfigFlag, "expected a file path, got \"\"");
    return ApplyFile(*invocation.config_flag, "named by --config", config);
  }
  if (auto path = EnvValue(env, kConfigEnv)) return ApplyFile(*path, "named by KEYMINT_CONFIG", config);
  std::error_code ignored;
  if (std::filesystem::exists(kDefaultConfigPath, ignored)) {
    return ApplyFile(std::string(kDefaultConfigPath), "the default config file", config);
  }
  return Status::Ok();
}

Status ApplyEnvironment(const std::map<std::string, std::string>& env, Config& config) {
  for (const Setting& setting : Settings()) {
    if (setting.env.empty()) continue;
    if (auto value = EnvValue(env, setting.env)) {
      if (Status status = ApplyText(setting, setting.env, *value, config); !status) return status;
    }
  }
  return Status::Ok();
}

Result<Command> Parse(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  if (!args.empty() && args[0] == "restore") return config::ParseRestoreCommand(args);
  if (!args.empty() && args[0] == "migrate") return config::ParseMigrateCommand(args, env);
  auto invocation = ParseArguments(args);
  if (!invocation) return std::move(invocation).error();
  Command command;
  command.kind = invocation->kind;
  if (command.kind != Command::Kind::kServe) return command;  // help and version read no settings

  // Lowest precedence first, so each later source overwrites what it sets.
  if (Status status = ApplyConfigFile(*invocation, env, command.config); !status) return std::move(status).error();
  if (Status status = ApplyEnvironment(env, command.config); !status) return std::move(status).error();
  for (const auto& [setting, value] : invocation->flags) {
    if (Status status = ApplyText(*setting, setting->flag, value, command.config); !status) {
      return std::move(status).error();
    }
  }
  // RFC 9745 §3: a resource is not sunset before it is deprecated.
  if (command.config.sunset_date && *command.config.sunset_date < command.config.deprecation_date) {
    return Invalid("deprecation.sunset_date must not be before deprecation.date");
  }
  // Checked once every source is in, so that the pair may come from two.
  const Config& config = command.config;
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    const std::string_view set =
        config.tls_cert.empty() ? "tls.key (--tls-key, KEYMINT_TLS_KEY)" : "tls.cert (--tls-cert, KEYMINT_TLS_CERT)";
    const std::string_view unset = config.tls_cert.empty() ? "tls.cert" : "tls.key";
    return Invalid(std::string(set) + " is set but " + std::string(unset) +
                   " is not: TLS needs both the certificate and the key, or neither");
  }
  return command;
}

// ----------------------------------------------------------------------------
// Usage text, built from the table so it cannot drift from what is accepted

std::string PadTo(std::string text, std::size_t width) {
  // A name too long for the column gets a line of its own, so the
  // descriptions below it stay aligned.
  if (text.size() >= width) return text + "\n" + std::string(width, ' ');
  text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

Result<Command> ParseCommandLine(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  // The contract is a Result, never an exception (bad_alloc, filesystem,
  // toml++ internals): main must be able to print one line and exit.
  try {
    return Parse(args, env);
  } catch (const std::exception& error) {
    return Error::Internal(std::string("reading the configuration failed: ") + error.what());
  }
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

std::string UsageText() {
  constexpr std::size_t kColumn = 29;
  std::string text =
      "keymint: an OAuth 2.0 client-credentials token issuer.\n"
      "\n"
      "Usage:\n"
      "  keymint serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--keys-dir DIR]\n"
      "                [--signing-algorithm ALG] [--issuer URL] [--threads N]\n"
      "                [--tls-cert FILE --tls-key FILE]\n"
      "  keymint restore --from DIR --data-dir DIR [--backup-id N] [--force]\n"
      "  keymint migrate --from-data-dir DIR --to URL [--keys-dir DIR]\n"
      "  keymint --help | --version\n"
      "\n"
      "Commands:\n"
      "  serve                     run the token issuer (also what no arguments at all means)\n"
      "  restore                   restore a backup (POST /api/v1/backups) from --from into --data-dir,\n"
      "                            the newest unless --backup-id N; refuses a data directory that is\n"
      "                            not empty unless --force. Copy secret-hash.key and keys/ yourself.\n"
      "  migrate                   copy the embedded store in --from-data-dir into the empty shared\n"
      "                            store --to URL (or KEYMINT_STORE), with keymint stopped; with\n"
      "                            --keys-dir, also copy secret-hash.key there for the replicas.\n"
      "  help, --help, -h          print this text (also `keymint serve --help`)\n"
      "  --version                 print the version\n"
      "\n"
      "Flags of serve (--flag VALUE or --flag=VALUE):\n";
  text += PadTo("  --config FILE", kColumn) + "TOML config file (default config/keymint.toml if it exists)\n";
  for (const Setting& setting : Settings()) {
    if (setting.flag.empty()) continue;
    text += PadTo("  " + std::string(setting.flag) + " " + std::string(setting.flag_arg), kColumn) +
            std::string(setting.help) + "\n";
  }
  text +=
      "\n"
      "Environment (a flag beats the environment, which beats the file, which beats the default;\n"
      "an empty variable counts as unset):\n";
  text += PadTo("  KEYMINT_CONFIG", kColumn) + "config file, when --config is not given\n";
  for (const Setting& setting : Settings()) {
    if (setting.env.empty()) continue;
    text += PadTo("  " + std::string(setting.env), kColumn) + std::string(setting.help) + "\n";
  }
  text +=
      "\n"
      "Every setting, including file-only ones, is documented in config/keymint.toml.\n"
      "The admin password is read only from KEYMINT_ADMIN_PASSWORD, never from a file.\n";
  return text;
}

std::string EffectiveIssuer(const Config& config, uint16_t bound_port) {
  if (!config.issuer.empty()) return config.issuer;
  // listen_host holds IPv6 without brackets (as Asio takes it); a URL needs them.
  const bool is_ipv6 = config.listen_host.find(':') != std::string::npos;
  const std::string host = is_ipv6 ? "[" + config.listen_host + "]" : config.listen_host;
  const char* scheme = config.tls_cert.empty() ? "http://" : "https://";
  return scheme + host + ":" + std::to_string(bound_port);
}

}  // namespace keymint
