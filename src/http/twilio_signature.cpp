#include "http/twilio_signature.hpp"

#include "core/crypto.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

namespace sb::http {
namespace {

// Decodes the UTF-8 sequence at text[i], advancing i; a malformed byte stands for itself.
std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length <= 1 || i + length > text.size()) {
    ++i;
    return lead;
  }
  std::uint32_t cp = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return lead;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  return cp;
}

// JavaScript (and Java) compare strings by UTF-16 code units: a supplementary character begins
// with a surrogate (0xD800-0xDBFF), so it sorts before U+E000..U+FFFF, unlike in UTF-8 byte order.
std::uint32_t utf16_rank(std::uint32_t cp) { return cp >= 0xD800 && cp <= 0xFFFF ? cp + 0x200000 : cp; }

struct Utf16Less {
  bool operator()(std::string_view a, std::string_view b) const {
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() && j < b.size()) {
      const auto x = utf16_rank(next_code_point(a, i));
      const auto y = utf16_rank(next_code_point(b, j));
      if (x != y) return x < y;
    }
    if (i != a.size() || j != b.size()) return i == a.size();
    return a < b;  // equal ranks only through malformed UTF-8: keep distinct strings distinct
  }
};

std::string_view without_fragment(std::string_view url) { return url.substr(0, url.find('#')); }

}  // namespace

std::string twilio_signature(std::string_view auth_token, std::string_view url, const Form& params) {
  std::map<std::string_view, std::vector<std::string_view>, Utf16Less> by_name;
  for (const auto& field : params.fields()) by_name[field.name].push_back(field.value);
  std::string data(without_fragment(url));
  for (auto& [name, values] : by_name) {
    std::sort(values.begin(), values.end(), Utf16Less{});
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (const auto value : values) {
      data += name;
      data += value;
    }
  }
  return crypto::base64_encode(crypto::hmac_sha1(auth_token, data));
}

bool is_valid_twilio_signature(std::string_view auth_token, std::string_view signature,
                               std::string_view url, const Form& params) {
  const auto matches = [&](std::string_view candidate) {
    return crypto::constant_time_equal(signature, twilio_signature(auth_token, candidate, params));
  };
  const std::string_view signed_url = without_fragment(url);
  auto parsed = boost::urls::parse_uri(signed_url);
  if (!parsed) return matches(signed_url);
  boost::urls::url without_port(*parsed);
  without_port.remove_port();
  if (matches(without_port.buffer())) return true;
  boost::urls::url with_port(*parsed);
  if (!with_port.has_port()) {
    if (with_port.scheme_id() == boost::urls::scheme::https) with_port.set_port_number(443);
    else if (with_port.scheme_id() == boost::urls::scheme::http) with_port.set_port_number(80);
  }
  return matches(with_port.buffer());
}

}  // namespace sb::http
