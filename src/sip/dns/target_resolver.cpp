#include "sip/dns/target_resolver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <memory>
#include <random>

#include "sip/dns/dns_errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {

namespace {

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

bool is_ipv6(const std::string& address) {
  in6_addr buffer{};
  return inet_pton(AF_INET6, address.c_str(), &buffer) == 1;
}

bool is_numeric(const std::string& host) {
  in6_addr buffer{};
  return inet_pton(AF_INET, host.c_str(), &buffer) == 1 || is_ipv6(host);
}

bool supports(const TargetPolicy& policy, TransportKind kind) { return !policy.supports || policy.supports(kind); }

// RFC 3263 4.1: without NAPTR and SRV, UDP for sip (TCP when we have no UDP), TLS for sips.
TransportKind default_kind(const NextHop& hop, const TargetPolicy& policy) {
  if (hop.transport) return *hop.transport;
  if (hop.is_sips) return TransportKind::Tls;
  return supports(policy, TransportKind::Udp) || !supports(policy, TransportKind::Tcp) ? TransportKind::Udp
                                                                                        : TransportKind::Tcp;
}

std::string srv_name(TransportKind kind, bool is_sips, const std::string& host) {
  switch (kind) {
    case TransportKind::Udp: return "_sip._udp." + host;
    case TransportKind::Tcp: return (is_sips ? "_sips._tcp." : "_sip._tcp.") + host;
    case TransportKind::Tls: return "_sips._tcp." + host;
  }
  return host;
}

std::uint32_t pseudo_random(std::uint32_t max) {
  static thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_int_distribution<std::uint32_t>(0, max)(engine);
}

// Is `ec` an answer that lets RFC 3263 go on to its next step? An SRV name that does not exist
// (NXDOMAIN for _sip._udp.example.com) is as normal as one without records.
bool is_absent(std::error_code ec) { return ec == DnsErrc::NoRecords || ec == DnsErrc::NotFound; }

// One resolution in flight: the stages run one after the other, the lookups of a stage in
// parallel; the job lives as long as a lookup holds it.
struct Job : std::enable_shared_from_this<Job> {
  struct Service {  // an SRV name to ask and what it gave
    TransportKind kind;
    std::string name;
    std::vector<SrvRecord> records;
    std::error_code ec;
  };
  struct Host {  // a name to ask A/AAAA for, and what it gave
    TransportKind kind;
    std::string name;
    std::uint16_t port;
    std::vector<std::string> addresses;
    std::error_code ec;
  };

  Job(Resolver& r, TargetPolicy p, NextHop h, TargetResolver::Handler d)
      : resolver(r), policy(std::move(p)), hop(std::move(h)), done(std::move(d)) {}

  Resolver& resolver;
  TargetPolicy policy;  // a copy: the job may outlive its TargetResolver
  NextHop hop;
  TargetResolver::Handler done;
  std::vector<Service> services;
  std::vector<Host> hosts;
  std::size_t pending = 0;

  void fail(std::error_code ec) { done(Result<std::vector<Target>>(ec)); }

  void start() {
    const TransportKind kind = default_kind(hop, policy);
    if (is_numeric(hop.host) || hop.port) {
      // RFC 3263 4.2: a numeric address, or an explicit port: no NAPTR, no SRV.
      hosts.push_back({kind, hop.host, hop.port.value_or(default_port(kind)), {}, {}});
      return lookup_hosts();
    }
    if (hop.transport) {
      // RFC 3263 4.2: the transport is known; SRV for it, then A/AAAA.
      services.push_back({kind, srv_name(kind, hop.is_sips, hop.host), {}, {}});
      return lookup_services();
    }
    resolver.naptr(hop.host, [self = shared_from_this()](std::error_code ec, std::vector<NaptrRecord> records) {
      self->on_naptr(ec, records);
    });
  }

  void on_naptr(std::error_code ec, const std::vector<NaptrRecord>& records) {
    // NXDOMAIN on the host itself: nothing below it resolves either.
    if (ec && ec != DnsErrc::NoRecords) return fail(ec);
    for (auto& n : usable_naptr(records, hop.is_sips, policy)) services.push_back({n.kind, n.srv_name, {}, {}});
    if (services.empty()) {
      // RFC 3263 4.1: no (usable) NAPTR: SRV for each transport we support.
      for (const auto kind : {TransportKind::Udp, TransportKind::Tcp, TransportKind::Tls}) {
        if (hop.is_sips && kind != TransportKind::Tls) continue;
        if (supports(policy, kind)) services.push_back({kind, srv_name(kind, hop.is_sips, hop.host), {}, {}});
      }
    }
    if (services.empty()) return fail(DnsErrc::NoUsableTarget);
    lookup_services();
  }

  void lookup_services() {
    pending = services.size();
    for (std::size_t i = 0; i < services.size(); ++i) {
      resolver.srv(services[i].name, [self = shared_from_this(), i](std::error_code ec, std::vector<SrvRecord> records) {
        self->services[i].ec = ec;
        self->services[i].records = order_srv(std::move(records), self->policy);
        if (--self->pending == 0) self->on_services();
      });
    }
  }

  void on_services() {
    std::error_code hard_error;
    bool has_answer = false;
    for (const auto& s : services) {
      if (!s.ec || is_absent(s.ec)) has_answer = true;
      else if (!hard_error) hard_error = s.ec;
      for (const auto& r : s.records) hosts.push_back({s.kind, r.target, r.port, {}, {}});
    }
    if (hosts.empty()) {
      if (!has_answer && hard_error) return fail(hard_error);
      // RFC 3263 4.2: no SRV: A/AAAA of the host on the default port.
      const TransportKind kind = services.empty() || services.size() > 1 ? default_kind(hop, policy) : services[0].kind;
      hosts.push_back({kind, hop.host, default_port(kind), {}, {}});
    }
    lookup_hosts();
  }

  void lookup_hosts() {
    // One lookup per distinct name; each host entry takes its name's answer.
    std::vector<std::string> names;
    for (const auto& h : hosts) {
      if (std::ranges::find(names, h.name) == names.end()) names.push_back(h.name);
    }
    pending = names.size();
    for (const auto& name : names) {
      resolver.addresses(name, [self = shared_from_this(), name](std::error_code ec, std::vector<std::string> addresses) {
        for (auto& h : self->hosts) {
          if (h.name != name) continue;
          h.ec = ec;
          h.addresses = addresses;
        }
        if (--self->pending == 0) self->on_hosts();
      });
    }
  }

  void on_hosts() {
    std::vector<Target> targets;
    std::error_code first_error;
    for (const auto& h : hosts) {
      if (h.ec && !first_error) first_error = h.ec;
      for (const auto& a : h.addresses) {
        if (is_ipv6(a) ? !policy.has_ipv6 : !policy.has_ipv4) continue;
        Target t{h.kind, a, h.port};
        if (std::ranges::find(targets, t) != targets.end()) continue;
        if (targets.size() < policy.max_targets) targets.push_back(std::move(t));
      }
    }
    if (targets.empty()) return fail(first_error ? first_error : make_error_code(DnsErrc::NoUsableTarget));
    done(std::move(targets));
  }
};

}  // namespace

std::optional<NextHop> next_hop_for(const Uri& uri) {
  if (!uri.is_sip() || uri.host.empty()) return std::nullopt;
  NextHop hop;
  const auto maddr = uri.maddr();
  hop.host = std::string(strip_brackets(maddr.empty() ? std::string_view(uri.host) : maddr));
  hop.port = uri.port;
  hop.is_sips = uri.scheme == UriScheme::Sips;
  const auto t = uri.transport();
  if (syntax::iequals(t, "udp")) hop.transport = TransportKind::Udp;
  else if (syntax::iequals(t, "tcp")) hop.transport = TransportKind::Tcp;
  else if (syntax::iequals(t, "tls")) hop.transport = TransportKind::Tls;
  // RFC 3261 19.1: a sips URI is reached over TLS whatever its transport parameter says.
  if (hop.is_sips && hop.transport) hop.transport = TransportKind::Tls;
  return hop;
}

std::vector<NaptrTarget> usable_naptr(const std::vector<NaptrRecord>& records, bool is_sips,
                                      const TargetPolicy& policy) {
  std::vector<const NaptrRecord*> usable;
  for (const auto& r : records) {
    if (!syntax::iequals(r.flags, "s") || r.replacement.empty() || r.replacement == ".") continue;
    std::optional<TransportKind> kind;
    if (syntax::iequals(r.service, "SIPS+D2T")) kind = TransportKind::Tls;
    else if (!is_sips && syntax::iequals(r.service, "SIP+D2U")) kind = TransportKind::Udp;
    else if (!is_sips && syntax::iequals(r.service, "SIP+D2T")) kind = TransportKind::Tcp;
    if (kind && supports(policy, *kind)) usable.push_back(&r);
  }
  std::ranges::stable_sort(usable, [](const NaptrRecord* a, const NaptrRecord* b) {
    return a->order != b->order ? a->order < b->order : a->preference < b->preference;
  });
  std::vector<NaptrTarget> out;
  for (const auto* r : usable) {
    const auto kind = syntax::iequals(r->service, "SIPS+D2T") ? TransportKind::Tls
                      : syntax::iequals(r->service, "SIP+D2U") ? TransportKind::Udp
                                                               : TransportKind::Tcp;
    out.push_back({kind, r->replacement});
  }
  return out;
}

std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, const TargetPolicy& policy) {
  std::erase_if(records, [](const SrvRecord& r) { return r.target.empty() || r.target == "."; });
  std::ranges::stable_sort(records, [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  out.reserve(records.size());
  auto group_begin = records.begin();
  while (group_begin != records.end()) {
    auto group_end = std::find_if(group_begin, records.end(),
                                  [p = group_begin->priority](const SrvRecord& r) { return r.priority != p; });
    std::vector<SrvRecord> group(group_begin, group_end);
    // RFC 2782: zero weights first, then a running sum; the first record whose sum reaches a
    // uniform random number in [0, total] is next.
    std::ranges::stable_partition(group, [](const SrvRecord& r) { return r.weight == 0; });
    while (!group.empty()) {
      std::uint32_t total = 0;
      for (const auto& r : group) total += r.weight;
      std::uint32_t pick = 0;
      if (total > 0) pick = std::min(policy.random ? policy.random(total) : pseudo_random(total), total);
      std::uint32_t running = 0;
      auto chosen = group.begin();
      for (auto it = group.begin(); it != group.end(); ++it) {
        running += it->weight;
        if (running >= pick) {
          chosen = it;
          break;
        }
      }
      out.push_back(std::move(*chosen));
      group.erase(chosen);
    }
    group_begin = group_end;
  }
  return out;
}

TargetResolver::TargetResolver(Resolver& resolver, TargetPolicy policy)
    : resolver_(resolver), policy_(std::move(policy)) {}

std::optional<Target> TargetResolver::numeric_target(const NextHop& hop) const {
  if (!is_numeric(hop.host)) return std::nullopt;
  const auto kind = default_kind(hop, policy_);
  return Target{kind, hop.host, hop.port.value_or(default_port(kind))};
}

void TargetResolver::resolve(NextHop hop, Handler done) {
  auto job = std::make_shared<Job>(resolver_, policy_, std::move(hop), std::move(done));
  job->start();
}

}  // namespace sb::sip
