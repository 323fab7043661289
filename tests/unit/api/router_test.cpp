#include "api/router.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

TEST(Router, CapturesWholeSegmentsAndSegmentsWithASuffix) {
  std::vector<std::string> captures;
  ASSERT_TRUE(match_pattern("/2010-04-01/Accounts/{}/Keys/{}.json",
                            "/2010-04-01/Accounts/AC1/Keys/SK2.json", captures));
  EXPECT_EQ(captures, (std::vector<std::string>{"AC1", "SK2"}));
  EXPECT_FALSE(match_pattern("/2010-04-01/Accounts/{}.json", "/2010-04-01/Accounts/.json", captures));
  EXPECT_FALSE(match_pattern("/2010-04-01/Accounts/{}.json", "/2010-04-01/Accounts/AC1.xml", captures));
  EXPECT_FALSE(match_pattern("/2010-04-01/Accounts/{}.json", "/2010-04-01/Accounts/AC1.json/x", captures));
  EXPECT_FALSE(match_pattern("/2010-04-01/Accounts.json", "/2010-04-01/Accounts.json/", captures));
}

TEST(Router, TellsAWrongMethodFromAnUnknownPath) {
  Router router;
  router.add({"GET", "/a/{}.json", Scope::kNone, false, {}, nullptr});
  router.add({"POST", "/a/{}.json", Scope::kNone, false, {}, nullptr});
  auto m = router.match("POST", "/a/x.json");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->method, "POST");
  EXPECT_EQ(m.captures, std::vector<std::string>{"x"});
  m = router.match("DELETE", "/a/x.json");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.is_path_known);
  m = router.match("GET", "/b/x.json");
  EXPECT_FALSE(m.route);
  EXPECT_FALSE(m.is_path_known);
}

}  // namespace
}  // namespace sb::api
