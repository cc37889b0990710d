#include "service_accounts.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "json_checks.hpp"

namespace keymint::testing {
namespace json = boost::json;

const std::vector<std::string> kServiceAccountMembers =
    Sorted({"name", "createdBy", "createdAt", "updatedAt", "enabled", "tenantId", "lastLogin", "id", "clientId"});

ServiceAccountView CheckServiceAccount(const json::object& record) {
  INFO("record " << json::serialize(record));
  CHECK(Keys(record) == kServiceAccountMembers);
  ServiceAccountView account;
  account.id = StringField(record, "id");
  CHECK(IsUuidV4(account.id));
  account.name = StringField(record, "name");
  account.client_id = StringField(record, "clientId");
  CHECK(IsUrlSafe(account.client_id));
  account.created_by = StringField(record, "createdBy");
  account.created_at = StringField(record, "createdAt");
  CHECK(IsTimestamp(account.created_at));
  account.updated_at = StringField(record, "updatedAt");
  CHECK(IsTimestamp(account.updated_at));
  CHECK(account.updated_at >= account.created_at);
  account.tenant_id = StringField(record, "tenantId");
  REQUIRE(record.contains("enabled"));
  REQUIRE(record.at("enabled").is_bool());
  account.enabled = record.at("enabled").as_bool();
  REQUIRE(record.contains("lastLogin"));
  if (!record.at("lastLogin").is_null()) {
    account.last_login = StringField(record, "lastLogin");
    CHECK(IsTimestamp(account.last_login));
  }
  return account;
}

void CheckSameIdentity(const ServiceAccountView& before, const ServiceAccountView& after) {
  CHECK(after.id == before.id);
  CHECK(after.name == before.name);
  CHECK(after.client_id == before.client_id);
  CHECK(after.created_by == before.created_by);
  CHECK(after.created_at == before.created_at);
  CHECK(after.tenant_id == before.tenant_id);
}

void CheckSameServiceAccount(const ServiceAccountView& before, const ServiceAccountView& after) {
  CheckSameIdentity(before, after);
  CHECK(after.enabled == before.enabled);
  CHECK(after.updated_at == before.updated_at);
  CHECK(after.last_login == before.last_login);
}

json::array RoleArray(const std::vector<std::string>& roles) {
  json::array array;
  for (const auto& role : roles) array.emplace_back(role);
  return array;
}

json::object ServiceAccountBody(const std::string& name, const std::optional<std::vector<std::string>>& roles) {
  json::object body{{"name", name}};
  if (roles) body["roles"] = RoleArray(*roles);
  return body;
}

json::object EnabledBody(bool enabled, const std::optional<std::vector<std::string>>& roles) {
  json::object body{{"enabled", enabled}};
  if (roles) body["roles"] = RoleArray(*roles);
  return body;
}

}  // namespace keymint::testing
