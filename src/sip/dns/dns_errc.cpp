#include "sip/dns/dns_errc.hpp"

#include <string>

namespace sb::sip {
namespace {

class DnsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip.dns"; }
  std::string message(int value) const override {
    switch (static_cast<DnsErrc>(value)) {
      case DnsErrc::NotFound: return "domain name not found";
      case DnsErrc::NoRecords: return "no DNS record of that type";
      case DnsErrc::Timeout: return "DNS server did not answer";
      case DnsErrc::ServerFailure: return "DNS server failure";
      case DnsErrc::NoUsableTarget: return "no usable SIP target";
      case DnsErrc::Cancelled: return "DNS lookup cancelled";
    }
    return "unknown DNS error";
  }
};

}  // namespace

const std::error_category& dns_category() noexcept {
  static const DnsCategory category;
  return category;
}

std::error_code make_error_code(DnsErrc e) noexcept { return {static_cast<int>(e), dns_category()}; }

}  // namespace sb::sip
