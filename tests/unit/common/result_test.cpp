#include "keymint/common/result.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

namespace keymint {
namespace {

Result<int> Parse(bool good, int value) {
  if (!good) return Error::InvalidArgument("bad number");
  return value;
}

Status Check(bool good) {
  if (!good) return Error::NotFound("missing");
  return Status::Ok();
}

// Adds two parsed numbers: each step returns early on its first error.
Result<int> Sum(bool first_good, bool second_good, bool check_good) {
  ASSIGN_OR_RETURN(int a, Parse(first_good, 2));
  int b = 0;
  ASSIGN_OR_RETURN(b, Parse(second_good, 3));
  RETURN_IF_ERROR(Check(check_good));
  RETURN_IF_ERROR(Parse(true, 0));
  return a + b;
}

Status Propagate(bool good) {
  RETURN_IF_ERROR(Check(good));
  return Status::Ok();
}

Result<std::unique_ptr<int>> MoveOnly() { return std::make_unique<int>(7); }

Result<int> Unwrap() {
  ASSIGN_OR_RETURN(auto pointer, MoveOnly());
  return *pointer;
}

}  // namespace

TEST_CASE("ASSIGN_OR_RETURN and RETURN_IF_ERROR pass values through and return the first error", "[result]") {
  auto sum = Sum(true, true, true);
  REQUIRE(sum.ok());
  CHECK(*sum == 5);

  auto first = Sum(false, true, true);
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().code == ErrorCode::kInvalidArgument);

  auto second = Sum(true, false, false);  // the first failure wins
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message == "bad number");

  auto third = Sum(true, true, false);
  REQUIRE_FALSE(third.ok());
  CHECK(third.error().code == ErrorCode::kNotFound);

  CHECK(Propagate(true).ok());
  CHECK(Propagate(false).error().code == ErrorCode::kNotFound);
}

TEST_CASE("ASSIGN_OR_RETURN moves a move-only value out", "[result]") {
  auto value = Unwrap();
  REQUIRE(value.ok());
  CHECK(*value == 7);
}

}  // namespace keymint
