#include "load/keymint_admin.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "keymint/crypto/random.hpp"
#include "load/tls.hpp"

namespace keymint::load {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

namespace {

struct Reply {
  int status = 0;
  json::value body;  // null when the body is empty or not JSON
};

// Starts one asynchronous operation with a handler that keeps its error, and
// runs `io` until the handler has run. The calls are asynchronous only so that
// the stream's deadline bounds them: Beast's expires_after does not apply to
// its blocking calls, and a server that accepts and never answers would hold
// keymint-bench for ever.
template <class Start>
boost::system::error_code Await(boost::asio::io_context& io, Start&& start) {
  boost::system::error_code result;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

// Writes `request` and reads the answer on a connected stream.
template <class Stream>
boost::system::error_code Exchange(boost::asio::io_context& io, Stream& stream,
                                   const http::request<http::string_body>& request,
                                   http::response<http::string_body>& response) {
  if (auto ec = Await(io, [&](auto done) { http::async_write(stream, request, std::move(done)); })) return ec;
  beast::flat_buffer buffer;
  return Await(io, [&](auto done) { http::async_read(stream, buffer, response, std::move(done)); });
}

// One request on its own connection, answered within --timeout (connecting
// and a TLS handshake included). These calls are few and outside the
// measured window, so simplicity wins over reuse.
Result<Reply> Call(const Options& options, http::verb method, const std::string& target, const std::string& token,
                   const json::value* body) {
  const std::string what = std::string(http::to_string(method)) + " " + target;
  const auto failed = [&](const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) {
      return Error::Unavailable(what + ": no answer within the timeout (--timeout)");
    }
    return Error::Unavailable(what + ": " + ec.message());
  };
  try {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, options.Authority());
    request.set(http::field::user_agent, "keymint-bench");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    if (body != nullptr) {
      request.set(http::field::content_type, "application/json");
      request.body() = json::serialize(*body);
    }
    request.prepare_payload();

    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    const auto endpoints = tcp::resolver(io).resolve(options.host, options.port);
    stream.expires_after(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(options.timeout_s)));
    if (auto ec = Await(io, [&](auto done) { stream.async_connect(endpoints, std::move(done)); })) return failed(ec);
    http::response<http::string_body> response;
    if (options.tls) {
      auto context = MakeClientTlsContext(options.cacert, options.insecure);
      if (!context) return std::move(context).error();
      boost::asio::ssl::stream<beast::tcp_stream&> tls(stream, **context);
      PrepareTlsConnection(tls.native_handle(), options.host);
      if (auto ec = Await(
              io, [&](auto done) { tls.async_handshake(boost::asio::ssl::stream_base::client, std::move(done)); })) {
        return failed(ec);
      }
      if (auto ec = Exchange(io, tls, request, response)) return failed(ec);
    } else if (auto ec = Exchange(io, stream, request, response)) {
      return failed(ec);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    Reply reply{static_cast<int>(response.result_int()), nullptr};
    boost::system::error_code ec;
    if (!response.body().empty()) reply.body = json::parse(response.body(), ec);
    if (ec) reply.body = nullptr;
    return reply;
  } catch (const boost::system::system_error& e) {  // the resolver
    return failed(e.code());
  }
}

// The server's own words for a refusal, for the message we print.
std::string Refusal(const std::string& what, const Reply& reply) {
  std::string message = what + ": HTTP " + std::to_string(reply.status);
  if (const json::object* object = reply.body.if_object()) {
    if (const json::value* text = object->if_contains("message"); text != nullptr && text->is_string()) {
      message += " (" + std::string(text->get_string()) + ")";
    }
  }
  return message;
}

std::string StringMember(const json::value& body, const char* name) {
  const json::object* object = body.if_object();
  const json::value* member = object != nullptr ? object->if_contains(name) : nullptr;
  return member != nullptr && member->is_string() ? std::string(member->get_string()) : std::string();
}

const char* Collection(CreateKind kind) {
  return kind == CreateKind::kAccessKey ? "/api/v1/access-keys" : "/api/v1/service-accounts";
}

}  // namespace

KeymintAdmin::KeymintAdmin(const Options& options, std::string token) : options_(&options), token_(std::move(token)) {}

Result<KeymintAdmin> KeymintAdmin::LogIn(const Options& options) {
  const json::value body = {
      {"grantType", "password"}, {"username", options.admin_email}, {"password", options.admin_password}};
  ASSIGN_OR_RETURN(const Reply reply, Call(options, http::verb::post, options.ApiPath("/api/v1/token"), "", &body));
  if (reply.status != 200) return Error::Unauthenticated(Refusal("logging in as " + options.admin_email, reply));
  std::string token = StringMember(reply.body, "accessToken");
  if (token.empty()) return Error::Unavailable("logging in: no accessToken in the answer");
  return KeymintAdmin(options, std::move(token));
}

Result<std::vector<Credential>> KeymintAdmin::Create(int count, CreateKind kind, const std::atomic<bool>& stop) {
  // A random tag keeps two runs (or a run and a leftover) from colliding on names.
  std::string tag;
  for (const char c : crypto::RandomUrlSafe(6)) tag += static_cast<char>(std::isalnum(c) ? std::tolower(c) : 'x');
  std::vector<Credential> made;
  for (int i = 0; i < count && !stop.load(); ++i) {
    json::object body{{"name", "bench-" + tag + "-" + std::to_string(i)}};
    if (kind == CreateKind::kServiceAccount) body["roles"] = json::array{"Viewer"};
    const json::value value = std::move(body);
    auto reply = Call(*options_, http::verb::post, options_->ApiPath(Collection(kind)), token_, &value);
    std::string problem;
    if (!reply) {
      problem = reply.error().message;
    } else if (reply->status != 201) {
      problem = Refusal("creating credential " + std::to_string(i + 1) + " of " + std::to_string(count), *reply);
      if (kind == CreateKind::kAccessKey && reply->status == 400) {
        problem +=
            "; keymint limits access keys per user: use --create-kind service-account, or seed keys "
            "with keymint_seed and pass --credentials";
      }
    } else {
      Credential credential{StringMember(reply->body, "clientId"), StringMember(reply->body, "clientSecret"),
                            StringMember(reply->body, "id")};
      if (credential.client_id.empty() || credential.secret.empty() || credential.record_id.empty()) {
        problem = "creating a credential: the answer lacks id, clientId or clientSecret";
      } else {
        made.push_back(std::move(credential));
        continue;
      }
    }
    (void)Delete(made, kind);
    return Error::Unavailable(problem);
  }
  return made;
}

Status KeymintAdmin::Delete(const std::vector<Credential>& credentials, CreateKind kind) {
  Status first;
  for (const Credential& credential : credentials) {
    if (credential.record_id.empty()) continue;
    auto reply = Call(*options_, http::verb::delete_, options_->ApiPath(Collection(kind)) + "/" + credential.record_id,
                      token_, nullptr);
    if (!first.ok()) continue;  // the first failure is the one reported
    if (!reply) {
      first = std::move(reply).error();
    } else if (reply->status != 204 && reply->status != 404) {
      first = Error::Unavailable(Refusal("deleting " + credential.client_id, *reply));
    }
  }
  return first;
}

Result<std::string> KeymintAdmin::LastLogin(const Credential& credential, CreateKind kind) {
  if (!credential.record_id.empty()) {
    ASSIGN_OR_RETURN(const Reply reply,
                     Call(*options_, http::verb::get, options_->ApiPath(Collection(kind)) + "/" + credential.record_id,
                          token_, nullptr));
    if (reply.status != 200) return Error::Unavailable(Refusal("reading " + credential.client_id, reply));
    return StringMember(reply.body, "lastLogin");
  }
  const std::string target = options_->ApiPath("/api/v1/administration/access-keys") +
                             "?clientId=" + boost::urls::encode(credential.client_id, boost::urls::unreserved_chars);
  ASSIGN_OR_RETURN(const Reply reply, Call(*options_, http::verb::get, target, token_, nullptr));
  if (reply.status != 200) return Error::Unavailable(Refusal("looking up " + credential.client_id, reply));
  const json::object* object = reply.body.if_object();
  const json::value* keys = object != nullptr ? object->if_contains("accessKeys") : nullptr;
  if (keys == nullptr || !keys->is_array() || keys->as_array().size() != 1) {
    return Error::NotFound("no access key has client ID " + credential.client_id);
  }
  return StringMember(keys->as_array().front(), "lastLogin");
}

Result<std::size_t> KeymintAdmin::CountLoggedInSince(const std::vector<Credential>& credentials, CreateKind kind,
                                                     const std::string& since) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::size_t updated = 0;
  for (;;) {
    updated = 0;
    for (const Credential& credential : credentials) {
      ASSIGN_OR_RETURN(const std::string last_login, LastLogin(credential, kind));
      // Same fixed-width RFC 3339 form on both sides, so text order is time order.
      if (last_login >= since) ++updated;
    }
    if (updated == credentials.size() || std::chrono::steady_clock::now() >= deadline) return updated;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string Rfc3339Now() {
  const auto now = std::chrono::system_clock::now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];  // room for any int, which GCC checks; the text is 24 bytes
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis % 1000));
  return text;
}

}  // namespace keymint::load
