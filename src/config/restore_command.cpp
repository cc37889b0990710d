#include "config/restore_command.hpp"

#include <charconv>
#include <cstdint>
#include <set>
#include <string_view>

#include "config/command_line.hpp"
#include "config/settings_table.hpp"

namespace keymint::config {
namespace {

Error Invalid(std::string message) { return Error::InvalidArgument(std::move(message)); }

// Decimal digits only, as for every number keymint reads; 0 is no backup id.
std::optional<uint32_t> ParseBackupId(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

}  // namespace

Result<Command> ParseRestoreCommand(const std::vector<std::string>& args) {
  Command command;
  command.kind = Command::Kind::kRestore;
  if (AsksForHelp(args)) {
    command.kind = Command::Kind::kHelp;
    return command;
  }
  RestoreOptions& options = command.restore;
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const std::string name = FlagName(arg);
    if (name != "--from" && name != "--data-dir" && name != "--backup-id" && name != "--force") {
      if (!arg.starts_with("-")) return Invalid("unexpected argument " + Quote(arg) + " (see keymint --help)");
      return Invalid("unknown flag " + Quote(name) + " for keymint restore (see keymint --help)");
    }
    if (!seen.insert(name).second) return Invalid(name + " is given more than once");
    if (name == "--force") {
      if (name != arg) return Invalid("--force takes no value");
      options.force = true;
      continue;
    }
    ASSIGN_OR_RETURN(std::string value, TakeFlagValue(args, i));
    if (name == "--backup-id") {
      options.backup_id = ParseBackupId(value);
      if (!options.backup_id)
        return Invalid("invalid --backup-id: expected a backup id (1, 2, ...), got " + Quote(value));
    } else if (value.empty()) {
      return Invalid("invalid " + name + ": expected a directory path, got \"\"");
    } else {
      (name == "--from" ? options.from : options.data_dir) = std::move(value);
    }
  }
  if (options.from.empty()) return Invalid("keymint restore needs --from DIR, the backup directory");
  if (options.data_dir.empty())
    return Invalid("keymint restore needs --data-dir DIR, the data directory to restore into");
  return command;
}

}  // namespace keymint::config
