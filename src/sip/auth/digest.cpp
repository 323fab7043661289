#include "sip/auth/digest.hpp"

#include <cstdio>

#include "core/crypto.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {

std::optional<DigestAlgorithm> digest_algorithm_from(std::string_view name) noexcept {
  if (name.empty() || syntax::iequals(name, "MD5")) return DigestAlgorithm::Md5;
  if (syntax::iequals(name, "SHA-256")) return DigestAlgorithm::Sha256;
  return std::nullopt;
}

std::string_view digest_algorithm_name(DigestAlgorithm algorithm) noexcept {
  return algorithm == DigestAlgorithm::Sha256 ? "SHA-256" : "MD5";
}

std::string digest_hash(DigestAlgorithm algorithm, std::string_view data) {
  return algorithm == DigestAlgorithm::Sha256 ? crypto::sha256_hex(data) : crypto::md5_hex(data);
}

namespace {

// Walks `Digest name=value, name="quoted", ...`, calling visit(name, unquoted value).
template <class Visit>
bool parse_digest_params(std::string_view text, Visit visit) {
  text = syntax::trim_lws(text);
  if (text.size() < 6 || !syntax::iequals(text.substr(0, 6), "Digest")) return false;
  text.remove_prefix(6);
  if (!text.empty() && !syntax::is_lws(text.front())) return false;
  while (true) {
    while (!text.empty() && (syntax::is_lws(text.front()) || text.front() == ',')) text.remove_prefix(1);
    if (text.empty()) return true;
    std::size_t i = 0;
    while (i < text.size() && syntax::is_token_char(text[i])) ++i;
    if (i == 0) return false;
    const auto name = text.substr(0, i);
    text.remove_prefix(i);
    syntax::skip_lws(text);
    if (text.empty() || text.front() != '=') return false;
    text.remove_prefix(1);
    syntax::skip_lws(text);
    std::string value;
    if (!text.empty() && text.front() == '"') {
      const auto length = syntax::quoted_string_length(text);
      if (length == 0) return false;
      value = syntax::unquote(text.substr(0, length));
      text.remove_prefix(length);
    } else {
      std::size_t j = 0;
      while (j < text.size() && text[j] != ',' && !syntax::is_lws(text[j])) ++j;
      if (j == 0) return false;
      value.assign(text.substr(0, j));
      text.remove_prefix(j);
    }
    visit(name, std::move(value));
  }
}

bool list_has(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (syntax::iequals(syntax::trim_lws(list.substr(0, comma)), item)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::optional<DigestChallenge> parse_digest_challenge(std::string_view header_value) {
  DigestChallenge c;
  std::string algorithm;
  bool has_realm = false;
  const bool ok = parse_digest_params(header_value, [&](std::string_view name, std::string value) {
    if (syntax::iequals(name, "realm")) {
      c.realm = std::move(value);
      has_realm = true;
    } else if (syntax::iequals(name, "nonce")) {
      c.nonce = std::move(value);
    } else if (syntax::iequals(name, "opaque")) {
      c.opaque = std::move(value);
      c.has_opaque = true;
    } else if (syntax::iequals(name, "algorithm")) {
      algorithm = std::move(value);
    } else if (syntax::iequals(name, "qop")) {
      c.has_qop = true;
      c.has_qop_auth = list_has(value, "auth");
    } else if (syntax::iequals(name, "stale")) {
      c.is_stale = syntax::iequals(value, "true");
    }
  });
  if (!ok || !has_realm || c.nonce.empty()) return std::nullopt;
  const auto a = digest_algorithm_from(algorithm);
  if (!a) return std::nullopt;
  c.algorithm = *a;
  return c;
}

std::optional<DigestCredentials> parse_digest_credentials(std::string_view header_value) {
  DigestCredentials c;
  const bool ok = parse_digest_params(header_value, [&](std::string_view name, std::string value) {
    if (syntax::iequals(name, "username")) c.username = std::move(value);
    else if (syntax::iequals(name, "realm")) c.realm = std::move(value);
    else if (syntax::iequals(name, "nonce")) c.nonce = std::move(value);
    else if (syntax::iequals(name, "uri")) c.uri = std::move(value);
    else if (syntax::iequals(name, "response")) c.response = std::move(value);
    else if (syntax::iequals(name, "algorithm")) c.algorithm = std::move(value);
    else if (syntax::iequals(name, "cnonce")) c.cnonce = std::move(value);
    else if (syntax::iequals(name, "opaque")) c.opaque = std::move(value);
    else if (syntax::iequals(name, "qop")) c.qop = std::move(value);
    else if (syntax::iequals(name, "nc")) c.nc = std::move(value);
  });
  if (!ok || c.username.empty() || c.nonce.empty() || c.response.empty()) return std::nullopt;
  return c;
}

std::string digest_ha1(DigestAlgorithm algorithm, std::string_view username, std::string_view realm,
                       std::string_view password) {
  std::string a1;
  a1.reserve(username.size() + realm.size() + password.size() + 2);
  a1.append(username).append(":").append(realm).append(":").append(password);
  return digest_hash(algorithm, a1);
}

std::string digest_response(DigestAlgorithm algorithm, std::string_view ha1, std::string_view nonce,
                            std::string_view nc, std::string_view cnonce, std::string_view qop,
                            std::string_view method, std::string_view uri) {
  std::string a2;
  a2.append(method).append(":").append(uri);
  const auto ha2 = digest_hash(algorithm, a2);
  std::string kd;
  kd.append(ha1).append(":").append(nonce).append(":");
  if (!qop.empty()) kd.append(nc).append(":").append(cnonce).append(":").append(qop).append(":");
  kd.append(ha2);
  return digest_hash(algorithm, kd);
}

std::string make_digest_authorization(const DigestChallenge& challenge, std::string_view username,
                                      std::string_view password, std::string_view method, std::string_view uri,
                                      std::uint32_t nc, std::string_view cnonce) {
  const auto ha1 = digest_ha1(challenge.algorithm, username, challenge.realm, password);
  std::string out = "Digest username=" + quote(username) + ", realm=" + quote(challenge.realm) +
                    ", nonce=" + quote(challenge.nonce) + ", uri=" + quote(uri);
  if (challenge.has_qop_auth) {
    char nc_text[9];
    std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
    const std::string cn = cnonce.empty() ? crypto::random_hex(8) : std::string(cnonce);
    out += ", response=" + quote(digest_response(challenge.algorithm, ha1, challenge.nonce, nc_text, cn, "auth",
                                                 method, uri));
    out += ", cnonce=" + quote(cn) + ", nc=" + nc_text + ", qop=auth";
  } else {
    out += ", response=" + quote(digest_response(challenge.algorithm, ha1, challenge.nonce, {}, {}, {}, method, uri));
  }
  out += ", algorithm=";
  out += digest_algorithm_name(challenge.algorithm);
  if (challenge.has_opaque) out += ", opaque=" + quote(challenge.opaque);
  return out;
}

}  // namespace sb::sip
