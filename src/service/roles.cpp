#include "keymint/service/roles.hpp"

#include <algorithm>

namespace keymint {

RoleCatalog::RoleCatalog(const std::vector<std::string>& extra_roles) {
  roles_ = {
      {1, std::string(kSystemAdministrator), "Manages users, access keys, service accounts and every setting."},
      {2, "Department administrator", "Manages the departments and projects assigned to them."},
      {3, "Research manager", "Views and manages the work of researchers in their scope."},
      {4, "L1 researcher", "Submits and manages workloads and their assets."},
      {5, "L2 researcher", "Submits and manages workloads, with fewer asset permissions than L1."},
      {6, "ML engineer", "Deploys and manages inference workloads."},
      {7, "Editor", "Views and edits most resources, without managing access."},
      {8, "Viewer", "Views resources; changes nothing."},
  };
  for (const auto& name : extra_roles) {
    if (!Contains(name)) roles_.push_back({static_cast<int>(roles_.size()) + 1, name, "Defined in the configuration."});
  }
}

bool RoleCatalog::Contains(std::string_view name) const {
  return std::any_of(roles_.begin(), roles_.end(), [&](const Role& r) { return r.name == name; });
}

}  // namespace keymint
