#pragma once
// The Twilio-compatible REST API: authenticates, routes and checks tenancy, then runs the
// resource's action. Lives on the signalling loop; plugs into http::Server as its handler.

#include "api/router.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace sb::api {

class Api {
 public:
  explicit Api(store::Store& store);

  void handle(http::Request request, http::Reply reply);

  // Twilio-style JSON bodies for the errors the HTTP server answers by itself (400, 408, 413...).
  static http::Response error_response(unsigned status, std::string_view message);

 private:
  void record_unknown_parameters(const struct Context& context, const Route& route);

  store::Store& store_;
  Router router_;
};

// Route tables of each resource (accounts_resource.cpp, ...).
void add_account_routes(Router& router);
void add_application_routes(Router& router);
void add_key_routes(Router& router);
void add_notification_routes(Router& router);

// Records a notification (the account's debugger log) and logs it once. `log` 0 error, 1 warning.
void record_notification(store::Store& store, std::string account_sid,
                         std::optional<std::string> call_sid, int log, int error_code,
                         std::string message, std::optional<std::string> request_method = {},
                         std::optional<std::string> request_url = {});

}  // namespace sb::api
