#pragma once
// The Twilio-compatible REST API: authenticates, routes and checks tenancy, then runs the
// resource's action. Lives on the signalling loop; plugs into http::Server as its handler.

#include "api/router.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace sb::calls {
class CallControl;
}

namespace sb::api {

class Api {
 public:
  // Without a CallControl, calls can be listed and fetched but not placed. SIP domains are named
  // {name}.sip.{sip_base_domain} (config base_domain).
  explicit Api(store::Store& store, calls::CallControl* call_control = nullptr,
               std::string sip_base_domain = "switchboard.local");

  void handle(http::Request request, http::Reply reply);

  // GET /metrics (no authentication, like /health): the Prometheus text `render` returns.
  void set_metrics(std::function<std::string()> render) { metrics_ = std::move(render); }

  // Twilio-style JSON bodies for the errors the HTTP server answers by itself (400, 408, 413...).
  static http::Response error_response(unsigned status, std::string_view message);

 private:
  void record_unknown_parameters(const struct Context& context, const Route& route);

  store::Store& store_;
  Router router_;
  std::function<std::string()> metrics_;
};

// Route tables of each resource (accounts_resource.cpp, ...).
void add_account_routes(Router& router);
void add_application_routes(Router& router);
void add_call_routes(Router& router, calls::CallControl* control);
void add_incoming_phone_number_routes(Router& router);
void add_key_routes(Router& router);
void add_notification_routes(Router& router);
void add_recording_routes(Router& router);
void add_sip_domain_routes(Router& router, std::string base_domain);
void add_sip_credential_list_routes(Router& router);
void add_sip_ip_access_control_list_routes(Router& router);

// A call as Twilio's Call JSON.
boost::json::object render_call(const store::Call& call);

}  // namespace sb::api
