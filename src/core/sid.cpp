#include "core/sid.hpp"

#include "core/crypto.hpp"

namespace sb {

std::string make_sid(std::string_view prefix) {
  std::string sid(prefix);
  sid += crypto::random_hex(16);
  return sid;
}

bool is_sid(std::string_view text, std::string_view prefix) {
  if (text.size() != kSidLength || !text.starts_with(prefix)) return false;
  for (char c : text.substr(prefix.size())) {
    const bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!is_hex) return false;
  }
  return true;
}

}  // namespace sb
