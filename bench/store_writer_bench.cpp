// The store writer's cost per Call save: a call's lifecycle (queued, initiated, ringing,
// in-progress, completed) over 200 live calls, saved through the Writer in batches of
// range(0) jobs (a gate job holds the writer until the whole batch has queued). The CPU column
// is the whole process's, so it includes the submitting thread's share; items_per_second is
// saves per CPU second.

#include <benchmark/benchmark.h>

#include "core/sid.hpp"
#include "core/time.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/tables.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <vector>

namespace {

using namespace sb::store;
using namespace sb::store::sqlite;

constexpr std::size_t kLiveCalls = 200;

class CallLoad {
 public:
  CallLoad()
      : dir_(std::filesystem::temp_directory_path() / ("sb-store-bench-" + std::to_string(::getpid()))),
        writer_((std::filesystem::create_directories(dir_), open_write_connection(dir_ / "bench.db")),
                [](std::function<void()> f) { f(); }),
        reader_(dir_ / "bench.db", Connection::Mode::kReadOnly),
        accounts_(reader_, writer_),
        calls_(reader_, writer_) {
    const auto now = sb::now_seconds();
    account_sid_ = sb::make_sid("AC");
    std::promise<std::error_code> inserted;
    accounts_.insert({account_sid_, "", "bench", "active", "Full", "token", now, now},
                     [&](std::error_code ec) { inserted.set_value(ec); });
    if (inserted.get_future().get()) throw std::runtime_error("cannot insert the account");
    for (std::size_t i = 0; i < kLiveCalls; ++i) live_.push_back({fresh(), 0});
  }
  ~CallLoad() {
    writer_.close();
    std::filesystem::remove_all(dir_);
  }

  // Saves `count` lifecycle steps of the live calls in one batch and waits for their completions.
  void save_batch(std::size_t count) {
    std::promise<void> open;
    std::promise<void> holding;
    writer_.submit(
        [&, gate = open.get_future().share()](Connection&) {
          holding.set_value();
          gate.wait();
          return std::error_code{};
        },
        {});
    holding.get_future().wait();
    std::atomic<std::size_t> done{0};
    for (std::size_t i = 0; i < count; ++i) {
      calls_.save(next(), [&](std::error_code) {
        if (done.fetch_add(1) + 1 == count) done.notify_one();
      });
    }
    open.set_value();
    for (auto seen = done.load(); seen != count; seen = done.load()) done.wait(seen);
  }

 private:
  struct Live {
    Call call;
    int stage;
  };

  Call fresh() {
    const auto now = sb::now_seconds();
    Call c;
    c.sid = sb::make_sid("CA");
    c.account_sid = account_sid_;
    c.to = c.to_formatted = "sip:b@127.0.0.1:5070";
    c.from = c.from_formatted = "+15005550006";
    c.control =
        "To=sip%3Ab%40127.0.0.1%3A5070&From=%2B15005550006&Url=http%3A%2F%2F127.0.0.1%3A8081%2Fvoice&"
        "Method=POST&StatusCallback=http%3A%2F%2F127.0.0.1%3A8081%2Fstatus&StatusCallbackEvent=initiated&"
        "StatusCallbackEvent=ringing&StatusCallbackEvent=answered&StatusCallbackEvent=completed";
    c.date_created = c.date_updated = now;
    return c;
  }

  const Call& next() {
    auto& l = live_[cursor_++ % live_.size()];
    if (l.stage == 5) l = {fresh(), 0};
    auto& c = l.call;
    c.date_updated = sb::now_seconds();
    switch (l.stage++) {
      case 0: break;
      case 1: c.queue_time = 3; break;
      case 2: c.status = "ringing"; break;
      case 3:
        c.status = "in-progress";
        c.start_time = c.date_updated;
        c.sip_call_id = sb::make_sid("") + "@127.0.0.1";
        break;
      case 4:
        c.status = "completed";
        c.end_time = c.date_updated;
        c.duration = 1;
        c.sip_response_code = 200;
        break;
    }
    return c;
  }

  std::filesystem::path dir_;
  Writer writer_;
  Connection reader_;
  AccountTable accounts_;
  CallTable calls_;
  std::string account_sid_;
  std::vector<Live> live_;
  std::size_t cursor_ = 0;
};

void BM_CallSaves(benchmark::State& state) {
  CallLoad load;
  const auto batch = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) load.save_batch(batch);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CallSaves)->Arg(1)->Arg(2)->Arg(4)->Arg(10)->Arg(30)->MeasureProcessCPUTime();

}  // namespace
