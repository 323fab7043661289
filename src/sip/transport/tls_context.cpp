#include "sip/transport/tls_context.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <system_error>

#include "sip/transport/network_transport.hpp"

namespace sb::sip {
namespace ssl = boost::asio::ssl;

namespace {

void restrict_versions(ssl::context& context) {
  // Twilio accepts TLS 1.2 and above only; older versions are refused outright.
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
    throw std::system_error(std::make_error_code(std::errc::protocol_not_supported), "cannot require TLS 1.2");
  }
  if (SSL_CTX_set_cipher_list(context.native_handle(), kTlsCipherList) != 1) {
    throw std::system_error(std::make_error_code(std::errc::protocol_not_supported), "no usable TLS cipher");
  }
}

}  // namespace

void configure_tls_server(ssl::context& context, const TransportConfig& config) {
  restrict_versions(context);
  boost::system::error_code ec;
  context.use_certificate_chain_file(config.tls_cert_file, ec);
  if (ec) throw std::system_error(ec, "cannot load the TLS certificate " + config.tls_cert_file);
  context.use_private_key_file(config.tls_key_file, ssl::context::pem, ec);
  if (ec) throw std::system_error(ec, "cannot load the TLS key " + config.tls_key_file);
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "the TLS key " + config.tls_key_file + " does not match " + config.tls_cert_file);
  }
  // No client certificates are asked for: peers authenticate with SIP digest (RFC 3261 22).
  context.set_verify_mode(ssl::verify_none);
}

void configure_tls_client(ssl::context& context, const TransportConfig& config) {
  restrict_versions(context);
  boost::system::error_code ec;
  context.set_default_verify_paths(ec);
  if (ec) throw std::system_error(ec, "cannot load the system CAs");
  if (!config.tls_ca_file.empty()) {
    context.load_verify_file(config.tls_ca_file, ec);
    if (ec) throw std::system_error(ec, "cannot load the CA file " + config.tls_ca_file);
  }
}

bool prepare_tls_client(ssl_st* handle, const std::string& host, bool is_ip_literal, bool is_verify_peer) {
  if (!is_ip_literal && SSL_set_tlsext_host_name(handle, host.c_str()) != 1) return false;
  if (!is_verify_peer) {
    SSL_set_verify(handle, SSL_VERIFY_NONE, nullptr);
    return true;
  }
  SSL_set_verify(handle, SSL_VERIFY_PEER, nullptr);
  // RFC 5922 7.2 / RFC 6125: OpenSSL checks the name during verification, so a mismatch fails
  // the handshake with X509_V_ERR_HOSTNAME_MISMATCH (or IP_ADDRESS_MISMATCH).
  X509_VERIFY_PARAM* param = SSL_get0_param(handle);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int is_set = is_ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                   : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  return is_set == 1;
}

std::string tls_verify_failure(ssl_st* handle) {
  const long verify = SSL_get_verify_result(handle);
  if (verify == X509_V_OK) return {};
  return X509_verify_cert_error_string(verify);
}

}  // namespace sb::sip
