// Small file helpers for tests that check what keymint leaves on disk.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "unit/test_support/temp_dir.hpp"

namespace keymint::testing {

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
  REQUIRE(out.good());
}

// Permission bits of `path`.
inline mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// The names directly in `dir`, sorted.
inline std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// What an atomic-file creator killed after writing part of its temporary
// for `target_name` leaves in `dir`.
inline std::string LeaveTemporary(const TempDir& dir, const std::string& target_name, const std::string& contents) {
  const std::string path = dir.Sub("." + target_name + ".0123456789abcdef.keymint-tmp");
  WriteFile(path, contents);
  return path;
}

}  // namespace keymint::testing
