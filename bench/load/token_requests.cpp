#include "load/token_requests.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <sstream>

#include "keymint/crypto/encoding.hpp"

namespace keymint::load {

namespace http = boost::beast::http;

namespace {

// application/x-www-form-urlencoded for one name or value: everything but
// RFC 3986's unreserved characters percent-encoded (which any form parser reads).
std::string FormEncode(const std::string& text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

// RFC 6749 §2.3.1: client_secret_basic form-encodes both parts before base64.
std::string BasicAuthorization(const Credential& credential) {
  return "Basic " + crypto::Base64Encode(FormEncode(credential.client_id) + ":" + FormEncode(credential.secret));
}

std::string RequestBytes(const Options& options, const Credential& credential) {
  http::request<http::string_body> request(http::verb::post, options.TokenPath(), 11);
  request.set(http::field::host, options.Authority());
  request.set(http::field::user_agent, "keymint-bench");
  request.set(http::field::accept, "application/json");
  switch (options.mode) {
    case Mode::kV1:
      request.set(http::field::content_type, "application/json");
      request.body() = boost::json::serialize(boost::json::object{{"grantType", "client_credentials"},
                                                                  {"clientId", credential.client_id},
                                                                  {"clientSecret", credential.secret}});
      break;
    case Mode::kV2Basic:
      request.set(http::field::content_type, "application/x-www-form-urlencoded");
      request.set(http::field::authorization, BasicAuthorization(credential));
      request.body() = "grant_type=client_credentials";
      break;
    case Mode::kV2Post:
      request.set(http::field::content_type, "application/x-www-form-urlencoded");
      request.body() = "grant_type=client_credentials&client_id=" + FormEncode(credential.client_id) +
                       "&client_secret=" + FormEncode(credential.secret);
      break;
    case Mode::kForm:
      request.set(http::field::content_type, "application/x-www-form-urlencoded");
      request.set(http::field::authorization, BasicAuthorization(credential));
      request.body() = options.form;
      break;
  }
  request.keep_alive(true);
  request.prepare_payload();
  std::ostringstream bytes;
  bytes << request;
  return bytes.str();
}

}  // namespace

std::vector<std::string> BuildTokenRequests(const Options& options, const std::vector<Credential>& credentials) {
  std::vector<std::string> requests;
  requests.reserve(credentials.size());
  for (const Credential& credential : credentials) requests.push_back(RequestBytes(options, credential));
  return requests;
}

std::string_view TokenMember(Mode mode) { return mode == Mode::kV1 ? "\"accessToken\"" : "\"access_token\""; }

}  // namespace keymint::load
