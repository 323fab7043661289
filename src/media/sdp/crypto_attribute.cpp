#include "media/sdp/crypto_attribute.hpp"

#include "media/error.hpp"
#include "media/sdp/sdp_text.hpp"

#include <bit>
#include <limits>

namespace sb::media {

using detail::parse_number;
using detail::split_words;

namespace {

bool is_base64(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

// RFC 4568 9.1: "inline:" key-salt ["|" lifetime] ["|" mki-value ":" mki-length]
std::optional<SrtpKeyParams> parse_key_params(std::string_view text) {
  constexpr std::string_view kInline = "inline:";
  if (text.substr(0, kInline.size()) != kInline) return std::nullopt;
  text.remove_prefix(kInline.size());
  SrtpKeyParams key;
  std::size_t bar = text.find('|');
  key.key_salt = std::string(text.substr(0, bar));
  if (!is_base64(key.key_salt)) return std::nullopt;
  bool has_lifetime = false;
  bool has_mki = false;
  while (bar != std::string_view::npos) {
    text.remove_prefix(bar + 1);
    bar = text.find('|');
    const auto field = text.substr(0, bar);
    if (const auto colon = field.find(':'); colon != std::string_view::npos) {
      if (has_mki) return std::nullopt;
      const auto value = parse_number<std::uint32_t>(field.substr(0, colon), std::numeric_limits<std::uint32_t>::max());
      const auto length = parse_number<std::uint8_t>(field.substr(colon + 1), 128);
      if (!value || !length || *length == 0) return std::nullopt;
      key.mki = *value;
      key.mki_length = *length;
      has_mki = true;
    } else {
      if (has_lifetime || has_mki) return std::nullopt;  // lifetime comes before the MKI
      if (field.substr(0, 2) == "2^") {
        const auto exponent = parse_number<std::uint8_t>(field.substr(2), 63);
        if (!exponent) return std::nullopt;
        key.lifetime = std::uint64_t{1} << *exponent;
      } else {
        key.lifetime = parse_number<std::uint64_t>(field, std::numeric_limits<std::uint64_t>::max());
        if (!key.lifetime) return std::nullopt;
      }
      has_lifetime = true;
    }
  }
  return key;
}

}  // namespace

Result<CryptoAttribute> parse_crypto_attribute(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() < 3) return make_error_code(Errc::sdp_bad_crypto);
  CryptoAttribute crypto;
  if (words[0].size() > 9) return make_error_code(Errc::sdp_bad_crypto);
  const auto tag = parse_number<std::uint32_t>(words[0], 999'999'999);
  if (!tag) return make_error_code(Errc::sdp_bad_crypto);
  crypto.tag = *tag;
  crypto.suite = std::string(words[1]);
  std::string_view keys = words[2];
  while (true) {
    const auto semicolon = keys.find(';');
    auto key = parse_key_params(keys.substr(0, semicolon));
    if (!key) return make_error_code(Errc::sdp_bad_crypto);
    crypto.keys.push_back(std::move(*key));
    if (semicolon == std::string_view::npos) break;
    keys.remove_prefix(semicolon + 1);
  }
  for (std::size_t i = 3; i < words.size(); ++i) crypto.session_params.emplace_back(words[i]);
  return crypto;
}

std::string format_crypto_attribute(const CryptoAttribute& crypto) {
  std::string out = std::to_string(crypto.tag) + ' ' + crypto.suite + ' ';
  for (std::size_t i = 0; i < crypto.keys.size(); ++i) {
    const auto& key = crypto.keys[i];
    if (i > 0) out += ';';
    out += "inline:" + key.key_salt;
    if (key.lifetime) {
      const std::uint64_t lifetime = *key.lifetime;
      if (lifetime != 0 && (lifetime & (lifetime - 1)) == 0) {
        out += "|2^" + std::to_string(std::countr_zero(lifetime));
      } else {
        out += '|' + std::to_string(lifetime);
      }
    }
    if (key.mki) out += '|' + std::to_string(*key.mki) + ':' + std::to_string(key.mki_length);
  }
  for (const auto& param : crypto.session_params) out += ' ' + param;
  return out;
}

}  // namespace sb::media
