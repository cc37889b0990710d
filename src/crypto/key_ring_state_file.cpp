#include "crypto/key_ring_state_file.hpp"

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/atomic_file.hpp"
#include "crypto/key_ring_directory.hpp"
#include "crypto/secret_file.hpp"

namespace keymint::crypto {
namespace {

constexpr std::size_t kMaxStateFileSize = std::size_t{1024} * 1024;

}  // namespace

std::string EncodeKeyStates(const std::vector<KeyEntry>& entries) {
  boost::json::array keys;
  for (const KeyEntry& entry : entries) {
    keys.push_back(boost::json::object{{"file", entry.file},
                                       {"kid", entry.kid},
                                       {"alg", AlgorithmName(entry.algorithm)},
                                       {"state", KeyStateName(entry.state)},
                                       {"createdAt", entry.created_at},
                                       {"activateAt", entry.activate_at},
                                       {"retiredAt", entry.retired_at}});
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}}) + "\n";
}

Result<std::vector<KeyEntry>> DecodeKeyStates(const std::string& path, const std::string& text) {
  const Error corrupt = Error::Unavailable(path + " is corrupt; remove it to re-derive the key states");
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return corrupt;
  const boost::json::value* keys = parsed.as_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return corrupt;
  std::vector<KeyEntry> entries;
  for (const boost::json::value& item : keys->as_array()) {
    const boost::json::object* object = item.if_object();
    if (object == nullptr) return corrupt;
    auto text_of = [&](const char* name) -> std::string_view {
      const boost::json::value* v = object->if_contains(name);
      return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
    };
    auto number_of = [&](const char* name) -> std::optional<int64_t> {
      const boost::json::value* v = object->if_contains(name);
      if (v == nullptr || !v->is_int64()) return std::nullopt;
      return v->as_int64();
    };
    const auto algorithm = ParseSigningAlgorithm(text_of("alg"));
    const auto state = ParseKeyState(text_of("state"));
    const auto created = number_of("createdAt");
    const auto activate = number_of("activateAt");
    const auto retired = number_of("retiredAt");
    // Replicas load (and, once retired, delete) the file a record names: a
    // path out of the directory is never taken from the shared file.
    if (!IsKeyFileName(text_of("file")) || text_of("kid").empty() || !algorithm || !state || !created || !activate ||
        !retired) {
      return corrupt;
    }
    entries.push_back(KeyEntry{std::string(text_of("file")), std::string(text_of("kid")), *algorithm, *state, *created,
                               *activate, *retired});
  }
  return entries;
}

Result<std::optional<std::vector<KeyEntry>>> ReadKeyStates(const std::string& path) {
  ASSIGN_OR_RETURN(auto text, ReadSecretFile(path, kMaxStateFileSize));
  if (!text) return std::optional<std::vector<KeyEntry>>();
  ASSIGN_OR_RETURN(auto entries, DecodeKeyStates(path, *text));
  return std::optional<std::vector<KeyEntry>>(std::move(entries));
}

Status WriteKeyStates(const std::string& path, const std::vector<KeyEntry>& entries) {
  return ReplaceFileAtomically(path, EncodeKeyStates(entries));
}

}  // namespace keymint::crypto
