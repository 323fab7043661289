#pragma once
// TLS set-up for NetworkTransport (RFC 3261 26.2.1, RFC 5922): the server and client contexts
// (TLS 1.2 and above, the cipher list Twilio's SIP interfaces accept) and the per-connection
// client settings (SNI, RFC 6125 name or address verification). Start-up and connect time only;
// the signalling loop calls these. Asio and OpenSSL stay in tls_context.cpp.

#include <string>

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace sb::sip {

struct TransportConfig;

// Twilio's SIP TLS cipher list for TLS 1.2 (Programmable Voice SIP Interface and Elastic SIP
// Trunking pages); TLS 1.3 keeps OpenSSL's default suites.
inline constexpr const char* kTlsCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:"
    "ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:AES128-GCM-SHA256:AES128-SHA256:AES128-SHA:"
    "AES256-GCM-SHA384:AES256-SHA256:AES256-SHA";

// Loads tls_cert_file (a PEM chain) and tls_key_file into `context`, made with tls_server.
// Throws std::system_error when a file cannot be loaded or does not match (start-up error).
void configure_tls_server(boost::asio::ssl::context& context, const TransportConfig& config);

// Trusts the system CAs and tls_ca_file when set, in `context`, made with tls_client. Throws
// std::system_error when the CA file cannot be loaded.
void configure_tls_client(boost::asio::ssl::context& context, const TransportConfig& config);

// Prepares one client connection to `host` (a name, or an IP literal without brackets): SNI for
// names only (RFC 6066 3), and when `is_verify_peer`, verification of the chain and of the name
// (or address) against the certificate, wildcards only as a whole left-most label.
// False when OpenSSL refuses the name.
bool prepare_tls_client(ssl_st* handle, const std::string& host, bool is_ip_literal, bool is_verify_peer);

// Why the peer's certificate was rejected ("hostname mismatch", ...), after a failed handshake;
// empty when verification was not the cause.
std::string tls_verify_failure(ssl_st* handle);

}  // namespace sb::sip
