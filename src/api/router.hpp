#pragma once
// Routes "METHOD /path" to an action. Patterns use "{}" for a captured segment, also inside one:
// "/2010-04-01/Accounts/{}/Keys/{}.json". A path that matches with another method is a 405.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sb::api {

struct Context;

// What a route needs checked before its action runs.
enum class Scope {
  kNone,             // no account in the path (e.g. /Accounts.json)
  kAccount,          // the first capture is the account the request acts on
};

struct Route {
  std::string method;
  std::string pattern;
  Scope scope = Scope::kAccount;
  bool is_account_or_key_resource = false;  // standard API keys may not use it
  std::vector<std::string> parameters;      // accepted form/query parameters; others warn 20001
  std::function<void(const std::shared_ptr<Context>&)> action;
  // Served without credentials (recording media, as Twilio serves it by default); the action
  // must check that the resource belongs to the account in the path.
  bool is_public = false;
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool is_path_known = false;    // some route has this path (so the method is wrong: 405)
    std::vector<std::string> captures;
  };
  Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

// Matches `path` against `pattern`; fills `captures` on success. Exposed for tests.
bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>& captures);

}  // namespace sb::api
