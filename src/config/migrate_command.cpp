#include "config/migrate_command.hpp"

#include <set>
#include <string_view>

#include "config/command_line.hpp"
#include "config/settings_table.hpp"

namespace keymint::config {
namespace {

Error Invalid(std::string message) { return Error::InvalidArgument(std::move(message)); }

}  // namespace

Result<Command> ParseMigrateCommand(const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& env) {
  Command command;
  command.kind = Command::Kind::kMigrate;
  if (AsksForHelp(args)) {
    command.kind = Command::Kind::kHelp;
    return command;
  }
  MigrateOptions& options = command.migrate;
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const std::string name = FlagName(arg);
    if (name != "--from-data-dir" && name != "--to" && name != "--keys-dir") {
      if (!arg.starts_with("-")) return Invalid("unexpected argument " + Quote(arg) + " (see keymint --help)");
      return Invalid("unknown flag " + Quote(name) + " for keymint migrate (see keymint --help)");
    }
    if (!seen.insert(name).second) return Invalid(name + " is given more than once");
    ASSIGN_OR_RETURN(std::string value, TakeFlagValue(args, i));
    if (value.empty()) return Invalid("invalid " + name + ": expected a value, got \"\"");
    if (name == "--from-data-dir") {
      options.from_data_dir = std::move(value);
    } else if (name == "--keys-dir") {
      options.keys_dir = std::move(value);
    } else {
      options.to_url = std::move(value);
    }
  }
  if (options.from_data_dir.empty()) {
    return Invalid("keymint migrate needs --from-data-dir DIR, the data directory of the embedded store");
  }
  const bool from_environment = options.to_url.empty();
  if (from_environment) {
    if (const auto it = env.find("KEYMINT_STORE"); it != env.end()) options.to_url = it->second;
  }
  if (options.to_url.empty()) {
    return Invalid("keymint migrate needs --to URL (or KEYMINT_STORE), the postgres:// store to copy into");
  }
  if (!IsSharedStoreUrl(options.to_url)) {
    return Invalid(std::string("invalid ") + (from_environment ? "KEYMINT_STORE" : "--to") +
                   ": expected a postgres:// or postgresql:// URL, got a value that is not shown");
  }
  return command;
}

}  // namespace keymint::config
