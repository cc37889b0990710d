#include "load/credentials.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace keymint::load {
namespace {

TEST_CASE("a credentials file: comments, blank lines, CRLF and commas in secrets", "[load]") {
  auto parsed = ParseCredentials("# made by keymint_seed\n\nid-1,secret-1\r\nid-2,se,cret\nid-3,s3");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 3);
  CHECK((*parsed)[0].client_id == "id-1");
  CHECK((*parsed)[0].secret == "secret-1");
  CHECK((*parsed)[1].secret == "se,cret");
  CHECK((*parsed)[2].client_id == "id-3");
  CHECK((*parsed)[2].secret == "s3");
}

TEST_CASE("a credentials file: lines of spaces, spaces around the fields and a byte-order mark", "[load]") {
  auto parsed = ParseCredentials("\xEF\xBB\xBFid-1,secret-1\n   \n\t\nid-2 , secret-2\t\r\n  # indented comment\n");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[0].client_id == "id-1");
  CHECK((*parsed)[1].client_id == "id-2");
  CHECK((*parsed)[1].secret == "secret-2");
  CHECK_FALSE(ParseCredentials("id-1,   \n").ok());  // a secret of spaces is no secret
}

TEST_CASE("a bad credentials line is named by number, never quoted", "[load]") {
  for (const char* text : {"id-1,ok\nno-comma-top-secret\n", "id-1,ok\n,top-secret\n", "id-1,ok\nid-2,\n"}) {
    auto parsed = ParseCredentials(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("line 2") != std::string::npos);
    CHECK(parsed.error().message.find("top-secret") == std::string::npos);
  }
  CHECK_FALSE(ParseCredentials("# nothing but a comment\n\n").ok());
}

TEST_CASE("credentials written for --keep-created read back, mode 0600", "[load]") {
  char dir_template[] = "/tmp/keymint-load-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string path = std::string(dir_template) + "/kept.txt";
  const std::vector<Credential> credentials = {{"a", "b", "id-a"}, {"c", "d,e", "id-c"}};
  REQUIRE(WriteCredentialsFile(path, credentials).ok());
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto read = ReadCredentialsFile(path);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 2);
  CHECK((*read)[1].client_id == "c");
  CHECK((*read)[1].secret == "d,e");
  CHECK_FALSE(ReadCredentialsFile(std::string(dir_template) + "/missing.txt").ok());
  unlink(path.c_str());
  rmdir(dir_template);
}

}  // namespace
}  // namespace keymint::load
