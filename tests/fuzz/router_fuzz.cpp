// The whole API behind the real TableRouter (api::MakeRouter over the real
// services, a RocksDB store in a scratch directory made once per process, the
// fixed signing key and a fixed clock). An input is a request written like
// HTTP/1.1:
//   METHOD SP TARGET LF
//   (Content-Type | Authorization): value LF      (other header lines are ignored)
//   LF
//   body
// Before parsing, placeholders are replaced by live values so that mutations
// reach past authentication: $ADMIN_TOKEN, $USER_TOKEN, $KEY_TOKEN, $SA_TOKEN,
// $SA_ADMIN_TOKEN (bearer JWTs), $ADMIN_ID, $USER_ID, $KEY_ID, $SA_ID,
// $SA_OFF_ID (record ids), $KEY_CLIENT_ID, $KEY_SECRET, $SA_CLIENT_ID,
// $SA_SECRET, $BASIC (client credentials), $ADMIN_PASSWORD, $USER_PASSWORD,
// and $JWT[<claims>]JWT$: <claims> signed as a token with the active key.
// After each request the store is put back to its starting records, so every
// input is judged on its own and a crash replays.
//
// Checked for every input, beyond "does not crash":
// - exactly one of a ready response and deferred work;
// - no 5xx, and only statuses the API documents;
// - a body is strict JSON with finite numbers (empty only for 204), errors in
//   the Error shape ({"code","message"}), on /api/v2/token, /oauth2/introspect
//   and /oauth2/revoke in RFC 6749's ({"error","error_description"});
// - the token, introspection and revocation endpoints answer with no-store,
//   as does anything showing a secret; 401 carries WWW-Authenticate (Bearer
//   on management routes, Basic on those three exactly when Basic was used);
//   405 carries Allow; no
//   header has CR, LF or NUL;
// - without a token or secret in the input, nothing but discovery answers 2xx;
//   without an administrator's token (or a harness-signed one), no
//   administration route answers 2xx;
// - no body ever carries a stored password hash.
#include <dlfcn.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/headers.hpp"
#include "fuzz/fuzz_support.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/router.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/service/login_limiter.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/service/service_account_service.hpp"
#include "keymint/service/token_deny_list.hpp"
#include "keymint/service/token_introspection.hpp"
#include "keymint/service/token_service.hpp"
#include "keymint/service/usage_service.hpp"
#include "keymint/service/user_service.hpp"
#include "keymint/store/store.hpp"
#include "unit/test_support/fake_clock.hpp"
#include "unit/test_support/forwarding_store.hpp"

// Fuzzing is about parsing and routing, not the password KDF: at 600,000
// iterations one password grant or user creation would cost a third of a
// second. Every PBKDF2 call in this binary (hashing and verifying alike, so
// results are unchanged) runs at most kFuzzIterations rounds of the real one.
extern "C" int PKCS5_PBKDF2_HMAC(const char* pass, int passlen, const unsigned char* salt, int saltlen, int iter,
                                 const EVP_MD* digest, int keylen, unsigned char* out) {
  constexpr int kFuzzIterations = 10;
  using Pbkdf2 = int (*)(const char*, int, const unsigned char*, int, int, const EVP_MD*, int, unsigned char*);
  static const auto real = reinterpret_cast<Pbkdf2>(dlsym(RTLD_NEXT, "PKCS5_PBKDF2_HMAC"));
  if (real == nullptr) keymint::fuzz::Fail("dlsym(PKCS5_PBKDF2_HMAC)", __FILE__, __LINE__, "");
  return real(pass, passlen, salt, saltlen, std::min(iter, kFuzzIterations), digest, keylen, out);
}

namespace {

namespace api = keymint::api;
namespace json = boost::json;
using namespace keymint;  // NOLINT: the harness names many service types

constexpr const char* kIssuer = "https://keymint.fuzz";
constexpr const char* kAudience = "https://keymint.fuzz/api";

// Forwards to the RocksDB store and notes whether anything was written, so
// the harness knows when to put the starting records back.
class WatchedStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  bool TakeWritten() { return std::exchange(written_, false); }

  Status RunTransaction(const TransactionBody& body) override { return Wrote(inner().RunTransaction(body)); }
  Status RecordLastLogins(const std::vector<LastLogin>& logins) override {
    return Wrote(inner().RecordLastLogins(logins));
  }

 private:
  Status Wrote(Status status) {
    written_ = true;
    return status;
  }

  bool written_ = false;
};

std::unique_ptr<Store> OpenStore(const std::string& dir) {
  auto opened = OpenRocksDbStore(dir);
  if (!opened.ok()) fuzz::Fail("OpenRocksDbStore", __FILE__, __LINE__, opened.error().message);
  return std::move(opened).value();
}

void Require(const Status& status, const char* what) {
  if (!status.ok()) fuzz::Fail(what, __FILE__, __LINE__, status.error().message);
}

// Runs `body` in a transaction of its own, which must commit.
void Commit(Store& store, const TransactionBody& body, const char* what) { Require(store.RunTransaction(body), what); }

LoginLimits UnthrottledLimits() {
  LoginLimits limits;
  for (ThrottleLimit* limit : {&limits.client_id, &limits.client_address, &limits.username, &limits.password_address}) {
    limit->per_minute = 0;
  }
  return limits;
}

// Everything a request can touch, made once per process. Members are
// destroyed in reverse: the recorder stops before the store closes, and the
// scratch directory goes last.
struct World {
  fuzz::ScratchDir dir{"router"};
  crypto::KeyRing keys = fuzz::OpenKeyRing(dir.Sub("keys"), /*with_generated=*/false);
  std::unique_ptr<Store> rocksdb = OpenStore(dir.Sub("data"));
  WatchedStore store{*rocksdb};
  crypto::SecretHasher hasher{std::string(32, '\x5a')};
  testing::FakeClock clock;
  LastLoginRecorder recorder{store, std::chrono::hours(1)};  // never writes on its own
  RoleCatalog catalog;
  // Failure throttles off: their counts would carry over from one input to
  // the next and make a crash depend on the inputs before it (the throttles
  // have tests and fuzz-free unit coverage of their own).
  LoginLimiter limiter{UnthrottledLimits(), clock};
  TokenService tokens{store, keys, hasher, clock, recorder, limiter, TokenSettings{kIssuer, kAudience, 600}};
  // Revocations are not undone between inputs (the deny list lives in
  // memory as well as in the store), so the management API's authenticator
  // does not consult it: an input revoking $KEY_TOKEN must not change how
  // later inputs are judged. Introspection has one of its own, unbounded in
  // practice so that a long run never fills it (a full list answers 503).
  TokenDenyList deny_list{store, clock, SIZE_MAX};
  Authenticator authenticator{store, keys, clock, kIssuer, kAudience};
  Authenticator revoking_authenticator{store, keys, clock, kIssuer, kAudience, &deny_list};
  TokenIntrospection introspection{revoking_authenticator, keys, deny_list, clock, kIssuer};
  UsageService usage{store, clock};
  AccessKeyService access_keys{store, hasher, clock, 20};
  UserService users{store, catalog, clock, limiter};
  ServiceAccountService service_accounts{store, hasher, catalog, clock};
  std::unique_ptr<api::Router> router = api::MakeRouter(
      api::ApiServices{tokens, authenticator, access_keys, users, service_accounts, keys, kIssuer, "1", 1735689600,
                       std::nullopt, nullptr, nullptr, nullptr, nullptr, nullptr, &introspection, &usage});

  // The starting records, restored after every request that wrote.
  std::vector<UserRecord> base_users;
  std::vector<CredentialRecord> base_credentials;
  std::vector<std::string> password_hashes;
  // Placeholder -> value, and whether it grants anything (see `Expanded`).
  struct Placeholder {
    std::string name;
    std::string value;
    bool credential;  // a token, secret or password
    bool admin;       // an administrator's token
  };
  std::vector<Placeholder> placeholders;

  World() {
    const int64_t now = clock.NowMillis();
    auto user = [&](std::string id, std::string email, std::string password, std::vector<std::string> roles) {
      UserRecord u;
      u.id = std::move(id);
      u.email = std::move(email);
      u.password_hash = crypto::HashPassword(password, 1000);
      u.roles = std::move(roles);
      u.created_by = "keymint";
      u.created_at_ms = u.updated_at_ms = now;
      password_hashes.push_back(u.password_hash);
      base_users.push_back(u);
      Commit(
          store, [&](StoreTransaction& tx) { return tx.CreateUser(u); }, "CreateUser");
      return u;
    };
    auto credential = [&](CredentialKind kind, std::string id, std::string name, std::string client_id,
                          const std::string& secret, std::string owner, std::vector<std::string> roles, bool enabled) {
      CredentialRecord c;
      c.id = std::move(id);
      c.kind = kind;
      c.name = std::move(name);
      c.client_id = std::move(client_id);
      c.secret_hash = hasher.Hash(secret);
      c.owner_id = std::move(owner);
      c.created_by = "admin@keymint.fuzz";
      c.created_at_ms = c.updated_at_ms = now;
      c.enabled = enabled;
      c.roles = std::move(roles);
      base_credentials.push_back(c);
      Commit(
          store, [&](StoreTransaction& tx) { return tx.CreateCredential(c); }, "CreateCredential");
      return c;
    };
    const std::string admin_password = "admin-password-1";
    const std::string user_password = "ada-password-1";
    const std::string key_secret = "key-secret-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const std::string sa_secret = "sa-secret-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    const std::string sa_admin_secret = "sa-secret-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
    const auto admin = user("00000000-0000-4000-8000-000000000001", "admin@keymint.fuzz", admin_password,
                            {std::string(kSystemAdministrator)});
    const auto ada = user("00000000-0000-4000-8000-000000000002", "ada@keymint.fuzz", user_password, {"Viewer"});
    const auto key = credential(CredentialKind::kAccessKey, "00000000-0000-4000-8000-000000000010", "ada-key",
                                "fuzzKeyClientId", key_secret, ada.id, {}, true);
    const auto sa = credential(CredentialKind::kServiceAccount, "00000000-0000-4000-8000-000000000020", "ci",
                               "fuzzSaClientId", sa_secret, "", {"ML engineer"}, true);
    const auto sa_admin =
        credential(CredentialKind::kServiceAccount, "00000000-0000-4000-8000-000000000021", "ops",
                   "fuzzSaAdminClientId", sa_admin_secret, "", {std::string(kSystemAdministrator)}, true);
    const auto sa_off = credential(CredentialKind::kServiceAccount, "00000000-0000-4000-8000-000000000022", "off",
                                   "fuzzSaOffClientId", "sa-secret-off", "", {}, false);

    auto jwt = [&](Result<IssuedToken> issued) {
      if (!issued.ok()) fuzz::Fail("minting a token", __FILE__, __LINE__, issued.error().message);
      return issued->jwt;
    };
    placeholders = {
        {"$ADMIN_TOKEN", jwt(tokens.ExchangePassword(admin.email, admin_password)), true, true},
        {"$USER_TOKEN", jwt(tokens.ExchangePassword(ada.email, user_password)), true, false},
        {"$KEY_TOKEN", jwt(tokens.ExchangeClientCredentials(key.client_id, key_secret)), true, false},
        {"$SA_TOKEN", jwt(tokens.ExchangeClientCredentials(sa.client_id, sa_secret)), true, false},
        {"$SA_ADMIN_TOKEN", jwt(tokens.ExchangeClientCredentials(sa_admin.client_id, sa_admin_secret)), true, true},
        {"$ADMIN_ID", admin.id, false, false},
        {"$USER_ID", ada.id, false, false},
        {"$KEY_ID", key.id, false, false},
        {"$SA_ID", sa.id, false, false},
        {"$SA_OFF_ID", sa_off.id, false, false},
        {"$KEY_CLIENT_ID", key.client_id, false, false},
        {"$SA_CLIENT_ID", sa.client_id, false, false},
        {"$KEY_SECRET", key_secret, true, false},
        {"$SA_SECRET", sa_secret, true, false},
        {"$BASIC", crypto::Base64Encode(key.client_id + ":" + key_secret), true, false},
        {"$ADMIN_PASSWORD", admin_password, true, false},
        {"$USER_PASSWORD", user_password, true, false},
    };
    // Longest first, so that no name is taken for a prefix of a longer one.
    std::sort(placeholders.begin(), placeholders.end(),
              [](const Placeholder& a, const Placeholder& b) { return a.name.size() > b.name.size(); });
    store.TakeWritten();
  }

  // Puts the starting records back: drops what the request created, rewrites
  // what it changed and recreates what it deleted.
  void Restore() {
    if (!store.TakeWritten()) return;
    std::set<std::string> user_ids, credential_ids;
    for (const auto& u : base_users) user_ids.insert(u.id);
    for (const auto& c : base_credentials) credential_ids.insert(c.id);
    auto listed_users = rocksdb->ListUsers();
    if (!listed_users.ok()) fuzz::Fail("ListUsers", __FILE__, __LINE__, listed_users.error().message);
    for (const auto& u : *listed_users) {
      if (!user_ids.contains(u.id)) {
        Commit(
            *rocksdb, [&](StoreTransaction& tx) { return tx.DeleteUser(u.id); }, "DeleteUser");
      }
    }
    for (auto kind : {CredentialKind::kAccessKey, CredentialKind::kServiceAccount}) {
      CredentialQuery query;
      query.kind = kind;
      auto listed = rocksdb->ListCredentials(query);
      if (!listed.ok()) fuzz::Fail("ListCredentials", __FILE__, __LINE__, listed.error().message);
      for (const auto& c : *listed) {
        if (!credential_ids.contains(c.id)) {
          Commit(
              *rocksdb, [&](StoreTransaction& tx) { return tx.DeleteCredential(c.id); }, "DeleteCredential");
        }
      }
    }
    for (const auto& u : base_users) {
      Commit(
          *rocksdb,
          [&](StoreTransaction& tx) -> Status {
            ASSIGN_OR_RETURN(auto found, tx.GetUser(u.id, LastLoginField::kSkip));
            return found ? tx.UpdateUser(u) : tx.CreateUser(u);
          },
          "restoring a user");
    }
    for (const auto& c : base_credentials) {
      Commit(
          *rocksdb,
          [&](StoreTransaction& tx) -> Status {
            ASSIGN_OR_RETURN(auto found, tx.GetCredential(c.id));
            return found ? tx.UpdateCredential(c) : tx.CreateCredential(c);
          },
          "restoring a credential");
    }
  }
};

World& TheWorld() {
  static World world;
  return world;
}

struct Expanded {
  std::string text;
  bool credential = false;  // some token, secret or password was put in
  bool admin = false;       // an administrator's token, or a token the harness signed
};

// Replaces placeholders; "$JWT[<claims>]JWT$" becomes <claims> signed with
// the active key under the header keymint's own tokens carry.
Expanded Expand(std::string_view input, const World& world) {
  Expanded out;
  std::size_t i = 0;
  while (i < input.size()) {
    if (input[i] != '$') {
      out.text += input[i++];
      continue;
    }
    const std::string_view rest = input.substr(i);
    if (rest.starts_with("$JWT[")) {
      const std::size_t end = rest.find("]JWT$");
      if (end != std::string_view::npos) {
        auto token = crypto::SignJws(world.keys.active(), world.keys.active_header(), rest.substr(5, end - 5));
        if (!token.ok()) fuzz::Fail("SignJws", __FILE__, __LINE__, token.error().message);
        out.text += *token;
        out.credential = out.admin = true;
        i += end + 5;
        continue;
      }
    }
    bool replaced = false;
    for (const auto& placeholder : world.placeholders) {
      if (rest.starts_with(placeholder.name)) {
        out.text += placeholder.value;
        out.credential |= placeholder.credential;
        out.admin |= placeholder.admin;
        i += placeholder.name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.text += input[i++];
  }
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view TrimLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Splits the expanded text into a Request whose views point into `text`.
api::Request ParseRequest(std::string_view text) {
  api::Request request;
  std::size_t newline = text.find('\n');
  const std::string_view first = TrimLine(text.substr(0, newline));
  const std::size_t space = first.find(' ');
  request.method = first.substr(0, space);
  request.target = space == std::string_view::npos ? std::string_view() : first.substr(space + 1);
  while (newline != std::string_view::npos) {
    const std::size_t start = newline + 1;
    newline = text.find('\n', start);
    const std::string_view line =
        TrimLine(text.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start));
    if (line.empty()) {
      request.body = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
      break;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (EqualsIgnoringCase(line.substr(0, colon), "content-type")) request.content_type = value;
    if (EqualsIgnoringCase(line.substr(0, colon), "authorization")) request.authorization = value;
  }
  return request;
}

const std::string* FindHeader(const api::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoringCase(key, name)) return &value;
  }
  return nullptr;
}

bool IsAdministrationPath(std::string_view target) {
  for (std::string_view prefix :
       {"/api/v1/users", "/api/v1/administration/", "/api/v1/service-accounts", "/api/v1/apps"}) {
    if (target.starts_with(prefix)) return true;
  }
  return false;
}

// The reads that answer without credentials (README "Operations", the web
// page, discovery): stated here rather than taken from the route table, so
// that a route made public by mistake fails the check below.
bool IsPublicRead(std::string_view method, std::string_view path) {
  if (method != "GET") return false;
  if (path.starts_with("/.well-known/")) return true;
  for (std::string_view document :
       {"/", "/app.js", "/app.css", "/docs/migration", "/api/openapi.json", "/healthz", "/readyz", "/metrics"}) {
    if (path == document) return true;
  }
  return false;
}

bool IsErrorShape(const json::object& body, int status) {
  const json::value* code = body.if_contains("code");
  const json::value* message = body.if_contains("message");
  return body.size() == 2 && code && code->is_int64() && code->get_int64() == status && message &&
         message->is_string() && !message->get_string().empty();
}

bool IsOAuthErrorShape(const json::object& body) {
  const json::value* error = body.if_contains("error");
  const json::value* description = body.if_contains("error_description");
  return body.size() == 2 && error && error->is_string() && !error->get_string().empty() && description &&
         description->is_string();
}

void CheckResponse(const api::Request& request, const api::Response& response, const Expanded& input,
                   const World& world) {
  static const std::set<int> kDocumented = {200, 201, 204, 400, 401, 403, 404, 405, 409, 415, 429};
  const std::string where = std::string(request.method) + " " + std::string(request.target) + " -> " +
                            std::to_string(response.status) + " " + response.body;
  FUZZ_CHECK(response.status < 500, where);
  FUZZ_CHECK(kDocumented.contains(response.status), where);
  for (const auto& [name, value] : response.headers) {
    FUZZ_CHECK(!name.empty() && name.find_first_of("\r\n:") == std::string::npos, where);
    FUZZ_CHECK(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, where);
  }
  if (response.status == 405) {
    const std::string* allow = FindHeader(response, "Allow");
    FUZZ_CHECK(allow != nullptr && !allow->empty(), where);
  }

  // The path as the router sees it: the raw path of a valid origin-form target.
  const auto url = boost::urls::parse_origin_form(request.target);
  const std::string_view path = url ? std::string_view(url->encoded_path()) : std::string_view();
  const bool v1_token = request.method == "POST" && path == "/api/v1/token";
  const bool v2_token = request.method == "POST" && path == "/api/v2/token";
  // Introspection and revocation authenticate clients as /api/v2/token does
  // and answer in its dialect: the same no-store, Basic challenge and error
  // shape invariants hold for them.
  const bool oauth_client = request.method == "POST" && (path == "/oauth2/introspect" || path == "/oauth2/revoke");
  const std::string* www_authenticate = FindHeader(response, "WWW-Authenticate");
  if (v1_token || v2_token || oauth_client) {
    // API.md §3: both token endpoints send no-store on every answer.
    const std::string* cache_control = FindHeader(response, "Cache-Control");
    const std::string* pragma = FindHeader(response, "Pragma");
    FUZZ_CHECK(cache_control && *cache_control == "no-store" && pragma && *pragma == "no-cache", where);
  }
  if (response.status == 401) {
    if (v2_token || oauth_client) {
      // WWW-Authenticate: Basic exactly when the client used Basic.
      const bool basic = api::CredentialsForScheme(request.authorization, "basic").has_value();
      FUZZ_CHECK((www_authenticate != nullptr) == basic, where);
    } else if (!v1_token) {
      FUZZ_CHECK(www_authenticate && *www_authenticate == "Bearer realm=\"keymint\"", where);
    }
  }

  // The documents that are not JSON: the web page and its assets, the
  // migration guide and the metrics. Their errors are JSON like any other.
  const bool document = request.method == "GET" && (path == "/" || path == "/app.js" || path == "/app.css" ||
                                                    path == "/docs/migration" || path == "/metrics");
  if (response.status == 204) {
    FUZZ_CHECK(response.body.empty() && response.content_type.empty(), where);
  } else if (document && response.status < 400) {
    FUZZ_CHECK(response.status == 200 || (response.status == 304 && response.body.empty()), where);
    FUZZ_CHECK(!response.content_type.empty() && response.content_type != "application/json", where);
  } else {
    FUZZ_CHECK(response.content_type == "application/json", where);
    const json::value body = fuzz::CheckJsonText(response.body);
    if (response.status >= 400) {
      FUZZ_CHECK(body.is_object(), where);
      FUZZ_CHECK(v2_token || oauth_client ? IsOAuthErrorShape(body.get_object())
                                          : IsErrorShape(body.get_object(), response.status),
                 where);
    } else if (body.is_object()) {
      // A secret shown once must not be cached on the way.
      for (std::string_view member : {"clientSecret", "secret", "tempPassword", "accessToken", "access_token"}) {
        if (!body.get_object().contains(member)) continue;
        const std::string* cache_control = FindHeader(response, "Cache-Control");
        FUZZ_CHECK(cache_control && *cache_control == "no-store", where);
      }
    }
  }
  // (Unless the request itself carried the text: a 404 quotes its path.)
  if (input.text.find("pbkdf2-sha256$") == std::string::npos) {
    FUZZ_CHECK(response.body.find("pbkdf2-sha256$") == std::string::npos, where);
  }
  for (const auto& hash : world.password_hashes) {
    if (input.text.find(hash) == std::string::npos) FUZZ_CHECK(response.body.find(hash) == std::string::npos, where);
  }

  if (response.status < 300) {
    FUZZ_CHECK(input.credential || IsPublicRead(request.method, path), where);
    FUZZ_CHECK(input.admin || !IsAdministrationPath(path), where);
  }
}

// Each part of the request in a heap block of exactly its size, as the
// transport's views into its buffers may be: a read past the end of one (say,
// a parser that looks for a terminating NUL) stops under ASan.
class ExactCopies {
 public:
  std::string_view Copy(std::string_view text) {
    blocks_.push_back(std::make_unique<char[]>(text.size()));
    std::copy(text.begin(), text.end(), blocks_.back().get());
    return std::string_view(blocks_.back().get(), text.size());
  }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  World& world = TheWorld();
  const Expanded input = Expand(std::string_view(reinterpret_cast<const char*>(data), size), world);
  const api::Request parsed = ParseRequest(input.text);
  ExactCopies copies;
  api::Request request;
  request.method = copies.Copy(parsed.method);
  request.target = copies.Copy(parsed.target);
  request.content_type = copies.Copy(parsed.content_type);
  request.authorization = copies.Copy(parsed.authorization);
  request.body = copies.Copy(parsed.body);

  api::Outcome outcome = world.router->Dispatch(request);
  FUZZ_CHECK(outcome.ready.has_value() != static_cast<bool>(outcome.deferred));
  const api::Response response = outcome.ready ? std::move(*outcome.ready) : outcome.deferred();
  CheckResponse(request, response, input, world);
  world.Restore();
  return 0;
}
