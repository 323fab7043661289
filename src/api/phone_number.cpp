#include "api/phone_number.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sb::api {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool is_e164(std::string_view text) {
  // ITU-T E.164 section 6.1: at most 15 digits; country codes never start with 0.
  if (text.size() < 3 || text.size() > 16 || text.front() != '+' || text[1] == '0') return false;
  return std::ranges::all_of(text.substr(1), is_digit);
}

std::string default_friendly_name(std::string_view e164) {
  if (e164.size() == 12 && e164.starts_with("+1")) {
    return fmt::format("({}) {}-{}", e164.substr(2, 3), e164.substr(5, 3), e164.substr(8, 4));
  }
  return std::string(e164);
}

}  // namespace sb::api
