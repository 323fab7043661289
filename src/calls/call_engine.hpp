#pragma once
// The call engine: places outbound-api calls (CPS queue, INVITE, ring timeout), follows them
// through Twilio's lifecycle, runs their TwiML (Say, Play, Pause, Gather, Hangup, Reject,
// Redirect), and ends them on BYE, on the API's request or at their time limit. Implements
// CallControl for the REST API. Lives on the signalling loop; media events reach it through
// on_media_event(), which app/ posts onto the loop.

#include "calls/call_control.hpp"
#include "calls/webhooks.hpp"
#include "media/engine/media_event.hpp"

#include <filesystem>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}
namespace sb::sip {
class UserAgent;
}
namespace sb::media {
class MediaEngine;
}

namespace sb::calls {

class InboundRouter;
class RegisteredContacts;

// Where calls of one region leave: an outbound proxy (host and port; 0 = the transport's default).
struct Egress {
  std::string proxy_host;
  std::uint16_t proxy_port = 0;
};

struct CallEngineOptions {
  double calls_per_second = 50;          // per account; more are queued, not refused
  // The signalling loop's lag at which new outbound calls are held in the queue until it catches
  // up (OverloadGate); zero: never.
  std::chrono::milliseconds overload_lag{50};
  std::string media_address = "127.0.0.1";  // numeric address the RTP sockets bind
  std::string advertised_address;        // in SDP and our From host; empty: media_address
  std::filesystem::path data_dir = "var";   // audio cache and recordings below it
  TrunkTable trunks;                        // where <Number> and E.164 calls go
  // Egress profiles: the next hop (outbound proxy) for SIP URIs dialed with ;region= or ;edge=
  // (Twilio's legacy region ids: us1 us2 ie1 de1 sg1 jp1 br1 au1; us1 is the default region).
  std::map<std::string, Egress, std::less<>> egress;
  // Hands a function to the signalling loop from another thread (app/ wires the loop's inbox);
  // empty: boost::asio::post on the loop.
  std::function<void(std::function<void()>)> to_loop;
};

class CallEngine final : public CallControl {
 public:
  CallEngine(boost::asio::io_context& loop, store::Store& store, Webhooks& webhooks, http::Client& http,
             sip::UserAgent& user_agent, media::MediaEngine& media, CallEngineOptions options);
  ~CallEngine() override;
  CallEngine(const CallEngine&) = delete;
  CallEngine& operator=(const CallEngine&) = delete;

  void start(const store::Call& call, OutboundCallRequest request) override;
  bool redirect(const std::string& call_sid, CallRedirect redirect) override;
  void end(const std::string& call_sid, const std::string& status,
           std::function<void(std::optional<store::Call>)> done) override;
  std::optional<store::Call> live_call(std::string_view call_sid) const override;

  const TrunkTable* trunks() const override;

  // Takes the INVITEs the user agent receives: `router` says which account's application runs
  // each (or how to refuse it). Without a router INVITEs are answered 480 by the user agent.
  void set_inbound_router(InboundRouter* router);
  // Where calls to a user of one of our domains go (its registered contacts, rung in parallel).
  void set_registered_contacts(RegisteredContacts* registry);

  void on_media_event(const media::MediaEvent& event);
  // The REST API's base URL ("http://127.0.0.1:8080"), for the RecordingUrl given to applications;
  // known once the HTTP listener is bound.
  void set_api_base_url(std::string url);

  // Ends every call (CANCEL or BYE), waits for their records to be stored, then `done`.
  void shutdown(std::function<void()> done);
  std::size_t active_calls() const;

  struct Impl;  // the engine's state, shared with its calls (calls/active_call.hpp)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::calls
