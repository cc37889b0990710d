// The role catalog: the built-in Run:ai role names plus any the config adds.
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace keymint {

inline constexpr std::string_view kSystemAdministrator = "System administrator";

struct Role {
  int id;
  std::string name;
  std::string description;
};

class RoleCatalog {
 public:
  explicit RoleCatalog(const std::vector<std::string>& extra_roles = {});
  const std::vector<Role>& roles() const { return roles_; }
  bool Contains(std::string_view name) const;

 private:
  std::vector<Role> roles_;
};

}  // namespace keymint
