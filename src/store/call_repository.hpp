#pragma once
// Calls (CA...): every leg switchboard places or receives, with Twilio's Call fields and the
// call-control settings the call runs with.

#include "store/account_repository.hpp"

#include <cstdint>

namespace sb::store {

struct Call {
  std::string sid;
  std::string account_sid;
  std::optional<std::string> parent_call_sid;
  std::string to;
  std::string from;
  std::string to_formatted;
  std::string from_formatted;
  std::string status = "queued";  // queued ringing in-progress completed busy failed no-answer canceled
  std::string direction = "outbound-api";
  std::optional<std::string> answered_by;
  std::optional<std::string> caller_name;
  std::optional<std::string> forwarded_from;
  std::optional<std::string> phone_number_sid;
  std::optional<std::string> trunk_sid;
  std::optional<std::string> group_sid;
  std::optional<SystemTime> start_time;
  std::optional<SystemTime> end_time;
  std::optional<std::int64_t> duration;    // seconds, once ended after an answer
  std::optional<std::int64_t> queue_time;  // milliseconds waited before dialing
  std::optional<std::string> price;
  std::string price_unit = "USD";
  std::string api_version = "2010-04-01";
  // Signalling details, for webhooks and callbacks.
  std::optional<std::string> sip_call_id;
  std::optional<int> sip_response_code;
  // The call-control request as received (form-encoded Twilio parameters), so that a restart or
  // another node can pick the call up.
  std::string control;
  SystemTime date_created;
  SystemTime date_updated;
};

struct CallFilter {
  std::string account_sid;
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::optional<std::string> parent_call_sid;
  std::optional<std::string> status;
  std::optional<SystemTime> start_time_from;   // start_time >= this
  std::optional<SystemTime> start_time_before;  // start_time < this
  std::optional<SystemTime> end_time_from;
  std::optional<SystemTime> end_time_before;
};

class CallRepository {
 public:
  virtual ~CallRepository() = default;
  virtual std::optional<Call> find(std::string_view account_sid, std::string_view sid) = 0;
  // Newest first, as Twilio lists calls.
  virtual Page<Call> list(const CallFilter& filter, const PageQuery& page) = 0;
  // Inserts, or replaces every field of the call with the same sid.
  virtual void save(const Call& call, Completion done) = 0;
  virtual void remove(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
