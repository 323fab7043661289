#include "store/sqlite/migrations.hpp"

#include "core/log.hpp"

#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <string_view>

namespace sb::store::sqlite {
namespace {

// Append only: a released migration is never edited, a change is a new entry.
constexpr std::array<std::string_view, 7> kMigrations = {
    // 1: accounts, API keys, notifications.
    R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  owner_account_sid TEXT REFERENCES accounts(sid),
  friendly_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
  type TEXT NOT NULL,
  auth_token TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX accounts_by_owner ON accounts(owner_account_sid, id);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  friendly_name TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  is_main INTEGER NOT NULL DEFAULT 0,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX api_keys_by_account ON api_keys(account_sid, id);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  call_sid TEXT,
  log INTEGER NOT NULL,
  error_code TEXT NOT NULL,
  message_text TEXT NOT NULL,
  more_info TEXT NOT NULL,
  request_method TEXT,
  request_url TEXT,
  request_variables TEXT,
  response_headers TEXT,
  response_body TEXT,
  message_date INTEGER NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX notifications_by_account ON notifications(account_sid, id);
CREATE INDEX notifications_by_call ON notifications(call_sid, id);
)sql",
    // 2: applications.
    R"sql(
CREATE TABLE applications (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  friendly_name TEXT NOT NULL,
  api_version TEXT NOT NULL,
  voice_url TEXT,
  voice_method TEXT NOT NULL,
  voice_fallback_url TEXT,
  voice_fallback_method TEXT NOT NULL,
  status_callback TEXT,
  status_callback_method TEXT NOT NULL,
  voice_caller_id_lookup INTEGER NOT NULL,
  sms_url TEXT,
  sms_method TEXT NOT NULL,
  sms_fallback_url TEXT,
  sms_fallback_method TEXT NOT NULL,
  sms_status_callback TEXT,
  message_status_callback TEXT,
  public_application_connect_enabled INTEGER NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX applications_by_account ON applications(account_sid, id);
)sql",
    // 3: calls.
    R"sql(
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  parent_call_sid TEXT,
  to_address TEXT NOT NULL,
  from_address TEXT NOT NULL,
  to_formatted TEXT NOT NULL,
  from_formatted TEXT NOT NULL,
  status TEXT NOT NULL,
  direction TEXT NOT NULL,
  answered_by TEXT,
  caller_name TEXT,
  forwarded_from TEXT,
  phone_number_sid TEXT,
  trunk_sid TEXT,
  group_sid TEXT,
  start_time INTEGER,
  end_time INTEGER,
  duration INTEGER,
  queue_time INTEGER,
  price TEXT,
  price_unit TEXT NOT NULL,
  api_version TEXT NOT NULL,
  sip_call_id TEXT,
  sip_response_code INTEGER,
  control TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX calls_by_account ON calls(account_sid, id);
CREATE INDEX calls_by_status ON calls(account_sid, status, id);
CREATE INDEX calls_by_parent ON calls(parent_call_sid, id);
)sql",
    // 4: recordings.
    R"sql(
CREATE TABLE recordings (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  call_sid TEXT NOT NULL,
  status TEXT NOT NULL,
  source TEXT NOT NULL,
  track TEXT NOT NULL,
  channels INTEGER NOT NULL,
  duration INTEGER,
  error_code INTEGER,
  file TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX recordings_by_account ON recordings(account_sid, id);
CREATE INDEX recordings_by_call ON recordings(call_sid, id);
)sql",
    // 5: SIP domains, credential lists, IP access control lists and the domains' mappings.
    R"sql(
CREATE TABLE sip_domains (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  domain_name TEXT NOT NULL UNIQUE,
  friendly_name TEXT NOT NULL,
  api_version TEXT NOT NULL,
  voice_url TEXT,
  voice_method TEXT NOT NULL,
  voice_fallback_url TEXT,
  voice_fallback_method TEXT NOT NULL,
  voice_status_callback_url TEXT,
  voice_status_callback_method TEXT NOT NULL,
  sip_registration INTEGER NOT NULL,
  emergency_calling_enabled INTEGER NOT NULL,
  secure INTEGER NOT NULL,
  byoc_trunk_sid TEXT,
  emergency_caller_sid TEXT,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX sip_domains_by_account ON sip_domains(account_sid, id);

CREATE TABLE sip_credential_lists (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  friendly_name TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (account_sid, friendly_name)
);

CREATE TABLE sip_credentials (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  credential_list_sid TEXT NOT NULL REFERENCES sip_credential_lists(sid) ON DELETE CASCADE,
  username TEXT NOT NULL,
  ha1_md5 TEXT NOT NULL,
  ha1_sha256 TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (credential_list_sid, username)
);

CREATE TABLE sip_ip_access_control_lists (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  friendly_name TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (account_sid, friendly_name)
);

CREATE TABLE sip_ip_addresses (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  ip_access_control_list_sid TEXT NOT NULL REFERENCES sip_ip_access_control_lists(sid) ON DELETE CASCADE,
  friendly_name TEXT NOT NULL,
  ip_address TEXT NOT NULL,
  address_value INTEGER NOT NULL,
  cidr_prefix_length INTEGER NOT NULL CHECK (cidr_prefix_length BETWEEN 1 AND 32),
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (ip_access_control_list_sid, ip_address)
);

CREATE TABLE sip_domain_credential_list_mappings (
  id INTEGER PRIMARY KEY,
  domain_sid TEXT NOT NULL REFERENCES sip_domains(sid) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('calls', 'registrations')),
  credential_list_sid TEXT NOT NULL REFERENCES sip_credential_lists(sid) ON DELETE CASCADE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (domain_sid, purpose, credential_list_sid)
);
CREATE INDEX sip_credential_list_mappings_by_list ON sip_domain_credential_list_mappings(credential_list_sid);

CREATE TABLE sip_domain_ip_access_control_list_mappings (
  id INTEGER PRIMARY KEY,
  domain_sid TEXT NOT NULL REFERENCES sip_domains(sid) ON DELETE CASCADE,
  ip_access_control_list_sid TEXT NOT NULL REFERENCES sip_ip_access_control_lists(sid) ON DELETE CASCADE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (domain_sid, ip_access_control_list_sid)
);
CREATE INDEX sip_ip_access_control_list_mappings_by_list
  ON sip_domain_ip_access_control_list_mappings(ip_access_control_list_sid);
)sql",
    // 6: incoming phone numbers. A number is unique across accounts (the SIP layer looks it up
    // by number alone); a deleted application stops answering the numbers that named it.
    R"sql(
CREATE TABLE incoming_phone_numbers (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL REFERENCES accounts(sid),
  phone_number TEXT NOT NULL UNIQUE,
  friendly_name TEXT NOT NULL,
  api_version TEXT NOT NULL,
  voice_url TEXT,
  voice_method TEXT NOT NULL,
  voice_fallback_url TEXT,
  voice_fallback_method TEXT NOT NULL,
  status_callback TEXT,
  status_callback_method TEXT NOT NULL,
  voice_caller_id_lookup INTEGER NOT NULL,
  voice_application_sid TEXT REFERENCES applications(sid) ON DELETE SET NULL,
  trunk_sid TEXT,
  sms_url TEXT,
  sms_method TEXT NOT NULL,
  sms_fallback_url TEXT,
  sms_fallback_method TEXT NOT NULL,
  sms_application_sid TEXT REFERENCES applications(sid) ON DELETE SET NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX incoming_phone_numbers_by_account ON incoming_phone_numbers(account_sid, id);
CREATE INDEX incoming_phone_numbers_by_voice_application ON incoming_phone_numbers(voice_application_sid);
CREATE INDEX incoming_phone_numbers_by_sms_application ON incoming_phone_numbers(sms_application_sid);
)sql",
    // 7: REGISTER bindings of SIP domains (docs/registration.md).
    R"sql(
CREATE TABLE sip_registrations (
  domain_sid TEXT NOT NULL REFERENCES sip_domains(sid) ON DELETE CASCADE,
  aor_user TEXT NOT NULL,
  contact_uri TEXT NOT NULL,
  call_id TEXT NOT NULL,
  cseq INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  source_address TEXT NOT NULL,
  source_port INTEGER NOT NULL,
  transport TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  PRIMARY KEY (domain_sid, aor_user, contact_uri)
);
CREATE INDEX sip_registrations_by_expiry ON sip_registrations(expires_at);
)sql",
};

int user_version(Connection& connection) {
  auto stmt = connection.prepare("PRAGMA user_version");
  return stmt.step() ? static_cast<int>(stmt.column_int(0)) : 0;
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

void migrate(Connection& connection) {
  const int current = user_version(connection);
  if (current > latest_schema_version()) {
    throw std::runtime_error(fmt::format(
        "the database has schema version {}, newer than this build's {}: upgrade switchboard",
        current, latest_schema_version()));
  }
  for (int version = current + 1; version <= latest_schema_version(); ++version) {
    connection.exec("BEGIN IMMEDIATE");
    try {
      connection.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
      connection.exec(fmt::format("PRAGMA user_version = {}", version));
      connection.exec("COMMIT");
    } catch (...) {
      connection.try_exec("ROLLBACK");
      throw;
    }
    spdlog::info("store: applied schema migration {}", version);
  }
}

}  // namespace sb::store::sqlite
