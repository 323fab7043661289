#include "store/sqlite/sqlite_store.hpp"

#include "core/log.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::filesystem::path& file, Poster post, Poster defer_wake, std::chrono::microseconds commit_delay)
      : writer_(open_write_connection(file), std::move(post), std::move(defer_wake), commit_delay),
        reader_(std::make_unique<Connection>(file, Connection::Mode::kReadOnly)),
        accounts_(*reader_, writer_),
        applications_(*reader_, writer_),
        calls_(*reader_, writer_),
        incoming_phone_numbers_(*reader_, writer_),
        keys_(*reader_, writer_),
        notifications_(*reader_, writer_),
        recordings_(*reader_, writer_),
        sip_domains_(*reader_, writer_),
        sip_credential_lists_(*reader_, writer_),
        sip_ip_access_control_lists_(*reader_, writer_),
        sip_registrations_(*reader_, writer_) {}

  ~SqliteStore() override { close(); }

  AccountRepository& accounts() override { return accounts_; }
  ApplicationRepository& applications() override { return applications_; }
  CallRepository& calls() override { return calls_; }
  IncomingPhoneNumberRepository& incoming_phone_numbers() override { return incoming_phone_numbers_; }
  KeyRepository& keys() override { return keys_; }
  NotificationRepository& notifications() override { return notifications_; }
  RecordingRepository& recordings() override { return recordings_; }
  SipDomainRepository& sip_domains() override { return sip_domains_; }
  SipCredentialListRepository& sip_credential_lists() override { return sip_credential_lists_; }
  SipIpAccessControlListRepository& sip_ip_access_control_lists() override {
    return sip_ip_access_control_lists_;
  }
  SipRegistrationRepository& sip_registrations() override { return sip_registrations_; }
  void after_writes(std::function<void()> f) override {
    if (writer_.is_idle()) return f();  // everything is committed already: no round trip
    writer_.submit({}, [f = std::move(f)](std::error_code ec) {
      if (ec != std::errc::operation_canceled) f();
    });
  }
  // After close() the repositories must not be used: the signalling loop has stopped serving.
  void close() override {
    writer_.stop();
    reader_.reset();
    writer_.close();
  }

 private:
  Writer writer_;
  std::unique_ptr<Connection> reader_;
  AccountTable accounts_;
  ApplicationTable applications_;
  CallTable calls_;
  IncomingPhoneNumberTable incoming_phone_numbers_;
  KeyTable keys_;
  NotificationTable notifications_;
  RecordingTable recordings_;
  SipDomainTable sip_domains_;
  SipCredentialListTable sip_credential_lists_;
  SipIpAccessControlListTable sip_ip_access_control_lists_;
  SipRegistrationTable sip_registrations_;
};

}  // namespace

std::unique_ptr<Connection> open_write_connection(const std::filesystem::path& database_file) {
  auto connection = std::make_unique<Connection>(database_file, Connection::Mode::kReadWrite);
  // WAL: readers on the loop never wait for the writer. synchronous=NORMAL is durable across
  // a crash of the process; only a power loss can drop the last commits (docs/configuration.md).
  connection->exec("PRAGMA journal_mode = WAL");
  connection->exec("PRAGMA synchronous = NORMAL");
  migrate(*connection);
  return connection;
}

std::unique_ptr<Store> open_store(const std::filesystem::path& database_file, Poster post_to_loop,
                                  Poster defer_wake, std::chrono::microseconds commit_delay) {
  return std::make_unique<SqliteStore>(database_file, std::move(post_to_loop), std::move(defer_wake), commit_delay);
}

}  // namespace sb::store::sqlite
