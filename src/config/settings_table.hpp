// The settings table: every configurable value of keymint declared once, with
// where it may come from (TOML key, environment variable, flag), what type it
// has, its bounds and how it is checked and stored into a Config.
//
// config.cpp reads the sources (file, environment, flags) and converts each
// raw value to a SettingValue; everything it then does with a value is driven
// by the row, so adding a setting means adding one row here (and a line in
// config/keymint.toml), not another branch in each reader.
//
// Internal to the config layer; the unit tests include it to check that the
// shipped example file documents every row.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keymint/config/config.hpp"

namespace keymint::config {

enum class SettingKind {
  kInteger,     // a TOML integer; in the environment or a flag, decimal digits only
  kString,      // a TOML string; the environment or flag text as given
  kStringList,  // a TOML array of strings (file only)
};

using SettingValue = std::variant<int64_t, std::string, std::vector<std::string>>;

// A value on its way into a Config, with how to quote it back in an error:
// `shown` is `"abc"` for text from the environment or a flag and e.g. `5` or
// `the string "5"` for a TOML node, so the message shows what the user wrote.
struct SettingInput {
  SettingValue value;
  std::string shown;
};

struct Setting;

// Checks `input` and stores it in `config`. Returns nullopt on success, else
// the detail of a one-line error ("expected ..., got ..."); the caller adds
// the setting's name and source in front.
using ApplyFn = std::optional<std::string> (*)(const Setting& setting, const SettingInput& input, Config& config);

struct Setting {
  std::string_view toml_path{};  // "section.key"; empty if the file may not set it
  std::string_view env{};        // KEYMINT_...; empty if none
  std::string_view flag{};       // "--name" of `keymint serve`; empty if none
  std::string_view flag_arg{};   // the flag's argument placeholder in usage text ("HOST:PORT")
  SettingKind kind = SettingKind::kString;
  int64_t min = 0;  // bounds of a kInteger setting, inclusive
  int64_t max = 0;
  std::string_view expected{};  // what a valid value looks like (not for kInteger: built from the bounds)
  std::string_view help{};      // one short phrase for UsageText
  bool secret = false;          // never echo the value in an error message
  ApplyFn apply = nullptr;
};

// Every setting, in the order they appear in config/keymint.toml.
std::span<const Setting> Settings();

// TOML keys that must never appear in a file, each with why and what to do
// instead (the admin password: a file is too easily committed or left readable).
struct ForbiddenKey {
  std::string_view toml_path{};
  std::string_view reason{};
};
std::span<const ForbiddenKey> ForbiddenKeys();

// "expected <what the setting accepts>, got <shown>".
std::string ExpectedGot(const Setting& setting, std::string_view shown);

// `text` in double quotes with quotes, backslashes and control characters
// escaped and long text cut short, so an error message stays on one line.
std::string Quote(std::string_view text);

// A libpq connection URI of a shared store (README "Deployment: several
// replicas"): postgres:// or postgresql://, without spaces or control
// characters, at most 2048 bytes. libpq checks the rest when keymint connects.
bool IsSharedStoreUrl(std::string_view text);

}  // namespace keymint::config
