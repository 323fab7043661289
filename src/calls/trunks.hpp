#pragma once
// SIP trunks: where phone numbers go. `<Dial><Number>` and REST calls to an E.164 `To` leave
// through the trunk whose prefix matches the number best (a trunk without prefixes takes any
// number), as an INVITE to sip:<number>@<trunk host> with the trunk's transport and digest
// credentials. Configured once at start-up ([[trunks]] in the TOML file); read-only after.

#include "calls/outbound_request.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::calls {

// How the number is written in the Request-URI's user part.
enum class NumberFormat {
  kE164,    // +14155551212
  kDigits,  // 14155551212 (E.164 without the +), as many carriers expect
};

struct Trunk {
  std::string name;
  std::string host;        // the carrier's or SBC's address (name or numeric)
  std::uint16_t port = 0;  // 0: the transport's default
  SipTransport transport = SipTransport::kUdp;
  std::optional<std::string> username;  // digest credentials for the trunk's challenge
  std::optional<std::string> password;
  NumberFormat number_format = NumberFormat::kE164;
  std::vector<std::string> prefixes;  // "+1", "+44"...; empty: every number
  // Where the trunk's INVITEs come from ("203.0.113.0/24", "198.51.100.7"); empty: the host,
  // when it is a numeric address.
  std::vector<std::string> inbound_addresses;
};

// A number routed to a trunk: the SIP target and the credentials to answer its challenge with.
struct TrunkRoute {
  std::string trunk;
  SipTarget target;
  std::optional<std::string> username;
  std::optional<std::string> password;
};

class TrunkTable {
 public:
  TrunkTable() = default;
  explicit TrunkTable(std::vector<Trunk> trunks);

  // The trunk for an E.164 number (the longest matching prefix wins; trunks without prefixes
  // match with length 0; ties go to the first configured), or nullopt.
  std::optional<TrunkRoute> route(std::string_view e164) const;
  bool empty() const { return trunks_.empty(); }
  // The trunk an INVITE from `source_address` comes from (its inbound_addresses, or its numeric
  // host), or nullptr.
  const Trunk* from_address(std::string_view source_address) const;
  const std::vector<Trunk>& trunks() const { return trunks_; }

 private:
  std::vector<Trunk> trunks_;
};

// A phone number as Twilio accepts it in `<Number>`: E.164 ("+14155551212"), or an unformatted
// US number ("(415) 555-1212", "415-555-1212", "1 415 555 1212") made E.164. nullopt otherwise.
std::optional<std::string> normalize_phone_number(std::string_view text);

// Checks a trunk read from the configuration; returns what is wrong, or empty.
std::string validate_trunk(const Trunk& trunk);

}  // namespace sb::calls
