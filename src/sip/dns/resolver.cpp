#include "sip/dns/resolver.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "core/log.hpp"
#include "sip/dns/dns_errc.hpp"

namespace sb::sip {
namespace asio = boost::asio;

namespace {

// RFC 1035 3.2.2 type codes.
constexpr int kTypeSrv = 33;
constexpr int kTypeNaptr = 35;
constexpr int kClassIn = 1;

enum class QueryType : char { Naptr = 'N', Srv = 'S', Addresses = 'A' };

struct Answer {
  std::error_code ec;
  std::vector<NaptrRecord> naptr;
  std::vector<SrvRecord> srv;
  std::vector<std::string> addresses;
  std::chrono::seconds ttl{0};
};

std::error_code error_of(int status) {
  switch (status) {
    case ARES_SUCCESS: return {};
    case ARES_ENOTFOUND: return DnsErrc::NotFound;
    case ARES_ENODATA: return DnsErrc::NoRecords;
    case ARES_ETIMEOUT: return DnsErrc::Timeout;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION: return DnsErrc::Cancelled;
    default: return DnsErrc::ServerFailure;
  }
}

std::uint32_t read32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// The smallest TTL of the answer section (RFC 1035 4.1): c-ares' NAPTR and SRV parsers drop it.
std::optional<std::uint32_t> min_answer_ttl(const unsigned char* abuf, int alen) {
  if (alen < 12) return std::nullopt;
  const unsigned char* end = abuf + alen;
  const int questions = (abuf[4] << 8) | abuf[5];
  const int answers = (abuf[6] << 8) | abuf[7];
  const unsigned char* p = abuf + 12;
  auto skip_name = [&] {
    char* name = nullptr;
    long length = 0;
    if (ares_expand_name(p, abuf, alen, &name, &length) != ARES_SUCCESS) return false;
    ares_free_string(name);
    p += length;
    return p <= end;
  };
  for (int i = 0; i < questions; ++i) {
    if (!skip_name() || end - p < 4) return std::nullopt;
    p += 4;
  }
  std::optional<std::uint32_t> ttl;
  for (int i = 0; i < answers; ++i) {
    if (!skip_name() || end - p < 10) return ttl;
    const std::uint32_t record_ttl = read32(p + 4);
    const int rdlength = (p[8] << 8) | p[9];
    ttl = std::min(ttl.value_or(record_ttl), record_ttl);
    p += 10;
    if (end - p < rdlength) return ttl;
    p += rdlength;
  }
  return ttl;
}

std::string lower(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_numeric_address(const std::string& name) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

}  // namespace

struct Resolver::Impl : std::enable_shared_from_this<Impl> {
  using Handler = std::function<void(const Answer&)>;

  // A c-ares socket watched by the loop's reactor; the descriptor never owns the fd (c-ares
  // closes it), so it is released before it goes.
  struct Watch {
    Watch(asio::io_context& io, ares_socket_t fd) : descriptor(io, fd) {}
    asio::posix::stream_descriptor descriptor;
    bool wants_read = false;
    bool wants_write = false;
    bool is_reading = false;
    bool is_writing = false;
    bool is_closed = false;
  };

  struct Query {
    std::weak_ptr<Impl> impl;
    QueryType type;
    std::string key;
    Handler done;
  };

  struct CacheEntry {
    Answer answer;
    std::chrono::steady_clock::time_point expiry;
  };

  Impl(asio::io_context& io, ResolverConfig c) : loop(io), config(std::move(c)), timer(io) {}

  ~Impl() {
    is_closed = true;
    timer.cancel();
    for (auto& [fd, w] : watches) forget(*w);
    watches.clear();
    // Pending queries end with ARES_EDESTRUCTION; their callbacks find no Impl and drop them.
    if (channel) ares_destroy(channel);
    if (is_library_initialized) ares_library_cleanup();
  }

  void start() {
    if (const int rc = ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS) {
      throw std::system_error(make_error_code(DnsErrc::ServerFailure), ares_strerror(rc));
    }
    is_library_initialized = true;
    ares_options options{};
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    options.sock_state_cb = &Impl::on_socket_state;
    options.sock_state_cb_data = this;
    options.timeout = static_cast<int>(std::max<std::int64_t>(config.timeout.count(), 1));
    options.tries = std::max(config.tries, 1);
    if (!config.nameserver.empty()) {
      // A configured server is asked exactly for the names given: no search domains.
      mask |= ARES_OPT_DOMAINS;
      options.domains = nullptr;
      options.ndomains = 0;
    }
    if (const int rc = ares_init_options(&channel, &options, mask); rc != ARES_SUCCESS) {
      channel = nullptr;
      throw std::system_error(make_error_code(DnsErrc::ServerFailure), std::string("c-ares: ") + ares_strerror(rc));
    }
    if (!config.nameserver.empty()) {
      if (const int rc = ares_set_servers_ports_csv(channel, config.nameserver.c_str()); rc != ARES_SUCCESS) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "DNS server '" + config.nameserver + "': " + ares_strerror(rc));
      }
    }
  }

  // --- Lookups -------------------------------------------------------------------------------
  void lookup(QueryType type, std::string name, Handler done) {
    if (is_closed) return deliver(std::move(done), Answer{DnsErrc::Cancelled, {}, {}, {}, {}});
    auto key = std::string(1, static_cast<char>(type)) + lower(name);
    if (auto it = cache.find(key); it != cache.end()) {
      if (it->second.expiry > std::chrono::steady_clock::now()) {
        ++stats.cache_hits;
        return deliver(std::move(done), it->second.answer);
      }
      cache.erase(it);
    }
    if (type == QueryType::Addresses && is_numeric_address(name)) {
      return deliver(std::move(done), Answer{{}, {}, {}, {name}, {}});
    }
    ++stats.queries;
    auto* query = new Query{weak_from_this(), type, std::move(key), std::move(done)};
    switch (type) {
      case QueryType::Naptr: ares_query(channel, name.c_str(), kClassIn, kTypeNaptr, &Impl::on_query, query); break;
      case QueryType::Srv: ares_query(channel, name.c_str(), kClassIn, kTypeSrv, &Impl::on_query, query); break;
      case QueryType::Addresses: {
        ares_addrinfo_hints hints{};
        hints.ai_family = AF_UNSPEC;
        ares_getaddrinfo(channel, name.c_str(), nullptr, &hints, &Impl::on_addrinfo, query);
        break;
      }
    }
    reschedule_timer();
  }

  // Handlers always run from the loop, never inside lookup() (c-ares may answer synchronously).
  void deliver(Handler done, Answer answer) {
    asio::post(loop, [weak = weak_from_this(), done = std::move(done), answer = std::move(answer)] {
      auto self = weak.lock();
      if (!self || (self->is_closed && answer.ec != DnsErrc::Cancelled)) return;
      done(answer);
    });
  }

  void finish(std::unique_ptr<Query> query, Answer answer) {
    if (answer.ec == DnsErrc::Cancelled) return;
    remember(query->key, answer);
    deliver(std::move(query->done), std::move(answer));
  }

  void remember(const std::string& key, const Answer& answer) {
    if (config.cache_entries == 0) return;
    std::chrono::seconds ttl{0};
    if (!answer.ec) ttl = std::min(answer.ttl, config.max_ttl);
    else if (answer.ec == DnsErrc::NotFound || answer.ec == DnsErrc::NoRecords) ttl = config.negative_ttl;
    if (ttl <= std::chrono::seconds::zero()) return;
    const auto now = std::chrono::steady_clock::now();
    if (cache.size() >= config.cache_entries) {
      std::erase_if(cache, [now](const auto& e) { return e.second.expiry <= now; });
      if (cache.size() >= config.cache_entries) cache.clear();
    }
    cache[key] = CacheEntry{answer, now + ttl};
  }

  static void on_query(void* arg, int status, int, unsigned char* abuf, int alen) {
    std::unique_ptr<Query> query(static_cast<Query*>(arg));
    auto self = query->impl.lock();
    if (!self) return;
    Answer answer;
    answer.ec = error_of(status);
    if (!answer.ec) {
      answer.ttl = std::chrono::seconds(min_answer_ttl(abuf, alen).value_or(0));
      answer.ec = query->type == QueryType::Naptr ? parse_naptr(abuf, alen, answer) : parse_srv(abuf, alen, answer);
    }
    self->finish(std::move(query), std::move(answer));
  }

  static std::error_code parse_naptr(const unsigned char* abuf, int alen, Answer& answer) {
    ares_naptr_reply* reply = nullptr;
    const int rc = ares_parse_naptr_reply(abuf, alen, &reply);
    if (rc != ARES_SUCCESS) return rc == ARES_ENODATA ? DnsErrc::NoRecords : DnsErrc::ServerFailure;
    for (auto* r = reply; r; r = r->next) {
      answer.naptr.push_back({r->order, r->preference, reinterpret_cast<const char*>(r->flags),
                              reinterpret_cast<const char*>(r->service), reinterpret_cast<const char*>(r->regexp),
                              r->replacement});
    }
    ares_free_data(reply);
    return answer.naptr.empty() ? make_error_code(DnsErrc::NoRecords) : std::error_code{};
  }

  static std::error_code parse_srv(const unsigned char* abuf, int alen, Answer& answer) {
    ares_srv_reply* reply = nullptr;
    const int rc = ares_parse_srv_reply(abuf, alen, &reply);
    if (rc != ARES_SUCCESS) return rc == ARES_ENODATA ? DnsErrc::NoRecords : DnsErrc::ServerFailure;
    for (auto* r = reply; r; r = r->next) answer.srv.push_back({r->priority, r->weight, r->port, r->host});
    ares_free_data(reply);
    return answer.srv.empty() ? make_error_code(DnsErrc::NoRecords) : std::error_code{};
  }

  static void on_addrinfo(void* arg, int status, int, ares_addrinfo* result) {
    std::unique_ptr<Query> query(static_cast<Query*>(arg));
    auto self = query->impl.lock();
    Answer answer;
    answer.ec = error_of(status);
    std::optional<int> ttl;
    for (auto* n = result ? result->nodes : nullptr; n && !answer.ec; n = n->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* raw = nullptr;
      if (n->ai_family == AF_INET) raw = &reinterpret_cast<const sockaddr_in*>(n->ai_addr)->sin_addr;
      else if (n->ai_family == AF_INET6) raw = &reinterpret_cast<const sockaddr_in6*>(n->ai_addr)->sin6_addr;
      if (!raw || !inet_ntop(n->ai_family, raw, text, sizeof text)) continue;
      if (std::ranges::find(answer.addresses, std::string_view(text)) != answer.addresses.end()) continue;
      answer.addresses.emplace_back(text);
      ttl = std::min(ttl.value_or(n->ai_ttl), n->ai_ttl);
    }
    if (result) ares_freeaddrinfo(result);
    if (!self) return;
    if (!answer.ec && answer.addresses.empty()) answer.ec = DnsErrc::NoRecords;
    answer.ttl = std::chrono::seconds(std::max(ttl.value_or(0), 0));
    self->finish(std::move(query), std::move(answer));
  }

  // --- Sockets and timeouts ------------------------------------------------------------------
  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->watch(fd, readable != 0, writable != 0);
  }

  void forget(Watch& w) {
    w.is_closed = true;
    boost::system::error_code ignored;
    w.descriptor.cancel(ignored);
    w.descriptor.release();
  }

  void watch(ares_socket_t fd, bool readable, bool writable) {
    if (!readable && !writable) {
      // c-ares is about to close the socket.
      if (auto it = watches.find(fd); it != watches.end()) {
        forget(*it->second);
        watches.erase(it);
      }
      return;
    }
    if (is_closed) return;
    auto& w = watches[fd];
    if (!w) w = std::make_shared<Watch>(loop, fd);
    w->wants_read = readable;
    w->wants_write = writable;
    arm(w, fd);
  }

  void arm(const std::shared_ptr<Watch>& w, ares_socket_t fd) {
    using Wait = asio::posix::stream_descriptor::wait_type;
    if (w->wants_read && !w->is_reading) {
      w->is_reading = true;
      w->descriptor.async_wait(Wait::wait_read, [weak = weak_from_this(), w, fd](boost::system::error_code ec) {
        w->is_reading = false;
        auto self = weak.lock();
        if (ec || w->is_closed || !self) return;
        // c-ares reads a TCP answer in pieces (length, then body), one read per call; the
        // reactor is edge-triggered, so keep going while bytes wait in the socket.
        for (int round = 0; round < 64 && !w->is_closed; ++round) {
          ares_process_fd(self->channel, fd, ARES_SOCKET_BAD);
          int available = 0;
          if (w->is_closed || ioctl(fd, FIONREAD, &available) != 0 || available <= 0) break;
        }
        if (!w->is_closed) self->arm(w, fd);
        self->reschedule_timer();
      });
    }
    if (w->wants_write && !w->is_writing) {
      w->is_writing = true;
      w->descriptor.async_wait(Wait::wait_write, [weak = weak_from_this(), w, fd](boost::system::error_code ec) {
        w->is_writing = false;
        auto self = weak.lock();
        if (ec || w->is_closed || !self) return;
        ares_process_fd(self->channel, ARES_SOCKET_BAD, fd);
        if (!w->is_closed) self->arm(w, fd);
        self->reschedule_timer();
      });
    }
  }

  // One loop timer follows c-ares' nearest deadline (retries and timeouts).
  void reschedule_timer() {
    if (is_closed) return;
    timeval tv{};
    if (!ares_timeout(channel, nullptr, &tv)) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->is_closed) return;
      ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      self->reschedule_timer();
    });
  }

  void close() {
    if (is_closed) return;
    is_closed = true;
    timer.cancel();
    // Pending queries end with ARES_ECANCELLED and are dropped.
    if (channel) ares_cancel(channel);
  }

  asio::io_context& loop;
  ResolverConfig config;
  ares_channel channel = nullptr;
  asio::steady_timer timer;
  std::unordered_map<ares_socket_t, std::shared_ptr<Watch>> watches;
  std::unordered_map<std::string, CacheEntry> cache;
  ResolverStats stats;
  bool is_closed = false;
  bool is_library_initialized = false;
};

Resolver::Resolver(asio::io_context& loop, ResolverConfig config)
    : impl_(std::make_shared<Impl>(loop, std::move(config))) {
  impl_->start();
}

Resolver::~Resolver() = default;

void Resolver::naptr(std::string name, NaptrHandler done) {
  impl_->lookup(QueryType::Naptr, std::move(name), [done = std::move(done)](const Answer& a) { done(a.ec, a.naptr); });
}

void Resolver::srv(std::string name, SrvHandler done) {
  impl_->lookup(QueryType::Srv, std::move(name), [done = std::move(done)](const Answer& a) { done(a.ec, a.srv); });
}

void Resolver::addresses(std::string name, AddressHandler done) {
  impl_->lookup(QueryType::Addresses, std::move(name),
                [done = std::move(done)](const Answer& a) { done(a.ec, a.addresses); });
}

void Resolver::close() { impl_->close(); }

const ResolverStats& Resolver::stats() const { return impl_->stats; }

}  // namespace sb::sip
