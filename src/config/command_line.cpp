#include "config/command_line.hpp"

#include <algorithm>

namespace keymint::config {

bool IsHelpFlag(std::string_view arg) { return arg == "--help" || arg == "-h"; }

bool AsksForHelp(const std::vector<std::string>& args) {
  return args.size() > 1 &&
         std::any_of(args.begin() + 1, args.end(), [](const std::string& arg) { return IsHelpFlag(arg); });
}

std::string FlagName(const std::string& arg) { return arg.substr(0, arg.find('=')); }

Result<std::string> TakeFlagValue(const std::vector<std::string>& args, std::size_t& i) {
  const std::string& arg = args[i];
  if (const auto equals = arg.find('='); equals != std::string::npos) return arg.substr(equals + 1);
  if (i + 1 < args.size() && !args[i + 1].starts_with("--")) return args[++i];
  return Error::InvalidArgument("missing value for " + arg);
}

}  // namespace keymint::config
