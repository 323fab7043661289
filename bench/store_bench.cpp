// The store lookups every call makes on the signalling loop: an account by SID (three to four per
// POST .../Calls.json) and a SIP domain by name (every INVITE and every <Dial><Sip> target, most
// often a host that is no domain). Through the store's cache, and as the SQLite queries the
// lookups ran before it (same statements, through the statement cache of a read connection).

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <unistd.h>

#include "core/sid.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace sb;
using namespace sb::store;

// One store with a main account and one domain, shared by every benchmark.
struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / fmt::format("sb-store-bench-{}", ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store = sqlite::open_store(dir / "bench.db", [this](std::function<void()> f) { posted = std::move(f); });
    const auto now = now_seconds();
    account = Account{make_sid("AC"), "", "Main Account", "active", "Full", "0123456789abcdef0123456789abcdef", now, now};
    store->accounts().insert(account, {});
    SipDomain d;
    d.sid = make_sid("SD");
    d.account_sid = account.sid;
    d.domain_name = "office.sip.switchboard.local";
    d.voice_url = "https://example.com/voice";
    d.date_created = d.date_updated = now;
    store->sip_domains().save(d, {});
    store->close();  // commits both writes
    store = sqlite::open_store(dir / "bench.db", [this](std::function<void()> f) { posted = std::move(f); });
    reader = std::make_unique<sqlite::Connection>(dir / "bench.db", sqlite::Connection::Mode::kReadOnly);
  }
  ~Fixture() {
    reader.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::function<void()> posted;
  std::unique_ptr<Store> store;
  std::unique_ptr<sqlite::Connection> reader;
  Account account;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

constexpr std::string_view kAccountColumns =
    "id, sid, owner_account_sid, friendly_name, status, type, auth_token, date_created, "
    "date_updated FROM accounts";
constexpr std::string_view kDomainColumns =
    "id, sid, account_sid, domain_name, friendly_name, api_version, voice_url, voice_method, "
    "voice_fallback_url, voice_fallback_method, voice_status_callback_url, voice_status_callback_method, "
    "sip_registration, emergency_calling_enabled, secure, byoc_trunk_sid, emergency_caller_sid, "
    "date_created, date_updated FROM sip_domains";

void BM_AccountFind(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->accounts().find(f.account.sid));
}
BENCHMARK(BM_AccountFind);

// What AccountTable::find ran before the cache (the row read into an Account).
void BM_AccountFindQuery(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto stmt = f.reader->prepare(fmt::format("SELECT {} WHERE sid = ?1", kAccountColumns));
    stmt.bind(1, f.account.sid);
    std::optional<Account> a;
    if (stmt.step()) {
      a = Account{stmt.column_text(1), stmt.column_optional_text(2).value_or(""), stmt.column_text(3),
                  stmt.column_text(4), stmt.column_text(5), stmt.column_text(6),
                  SystemTime{std::chrono::seconds{stmt.column_int(7)}},
                  SystemTime{std::chrono::seconds{stmt.column_int(8)}}};
    }
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_AccountFindQuery);

void BM_DomainFindByName(benchmark::State& state, const char* host) {
  auto& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->sip_domains().find_by_name(host));
}
BENCHMARK_CAPTURE(BM_DomainFindByName, domain, "office.sip.switchboard.local");
BENCHMARK_CAPTURE(BM_DomainFindByName, not_a_domain, "127.0.0.1");

// What SipDomainTable::find_by_name ran before the cache, for a host that is no domain.
void BM_DomainFindByNameQueryAbsent(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto stmt = f.reader->prepare(fmt::format("SELECT {} WHERE domain_name = ?1", kDomainColumns));
    stmt.bind(1, std::string_view("127.0.0.1"));
    benchmark::DoNotOptimize(stmt.step());
  }
}
BENCHMARK(BM_DomainFindByNameQueryAbsent);

}  // namespace
