#include "calls/nat_keepalive.hpp"

#include "sip/message/uri.hpp"

#include <algorithm>

namespace sb::calls {
namespace {

std::string key_of(const std::string& aor, const std::string& contact_uri) {
  std::string key;
  key.reserve(aor.size() + 1 + contact_uri.size());
  key.append(aor).append(1, '\n').append(contact_uri);
  return key;
}

}  // namespace

NatKeepalive::NatKeepalive(NatKeepaliveOptions options, Ping ping, Dead dead)
    : options_(options), ping_(std::move(ping)), dead_(std::move(dead)) {}

bool NatKeepalive::is_behind_nat(std::string_view contact_uri, const sip::Endpoint& source) {
  const auto uri = sip::parse_uri(contact_uri);
  if (!uri) return true;
  return uri->host_address() != source.address || uri->port.value_or(5060) != source.port;
}

void NatKeepalive::watch(const std::string& aor, const std::string& contact_uri, const sip::Endpoint& destination,
                         Clock::time_point now) {
  if (!is_enabled()) return;
  auto key = key_of(aor, contact_uri);
  auto [it, is_new] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (!is_new && e.destination == destination) return;  // a refresh: keep the schedule
  e.aor = aor;
  e.contact_uri = contact_uri;
  e.destination = destination;
  e.generation = next_generation_++;
  e.failures = 0;
  e.is_in_flight = false;
  // Old generations stay in the heap until popped; compact when they outnumber the live ones.
  if (due_.size() > 2 * entries_.size() + 1024) {
    std::erase_if(due_, [&](const Due& d) {
      auto found = entries_.find(d.key);
      return found == entries_.end() || found->second.generation != d.generation;
    });
    std::ranges::make_heap(due_, std::greater<>{});
  }
  due_.push_back(Due{now + options_.interval, std::move(key), e.generation});
  std::ranges::push_heap(due_, std::greater<>{});
}

void NatKeepalive::forget(const std::string& aor, const std::string& contact_uri) {
  entries_.erase(key_of(aor, contact_uri));
}

void NatKeepalive::tick(Clock::time_point now) {
  last_tick_ = now;
  while (!due_.empty() && due_.front().at <= now && in_flight_ < options_.max_in_flight) {
    std::ranges::pop_heap(due_, std::greater<>{});
    Due d = std::move(due_.back());
    due_.pop_back();
    auto it = entries_.find(d.key);
    if (it == entries_.end() || it->second.generation != d.generation || it->second.is_in_flight) continue;
    Entry& e = it->second;
    e.is_in_flight = true;
    ++in_flight_;
    ++pings_sent_;
    std::weak_ptr<NatKeepalive*> weak = self_;
    ping_(e.contact_uri, e.destination, [weak, key = std::move(d.key), generation = d.generation](bool is_answered) {
      if (auto self = weak.lock()) (*self)->on_result(key, generation, is_answered);
    });
  }
}

void NatKeepalive::on_result(const std::string& key, std::uint64_t generation, bool is_answered) {
  --in_flight_;
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) return;  // forgotten or changed meanwhile
  Entry& e = it->second;
  e.is_in_flight = false;
  e.failures = is_answered ? 0 : e.failures + 1;
  if (options_.max_failures > 0 && e.failures >= options_.max_failures) {
    const std::string aor = std::move(e.aor);
    const std::string contact_uri = std::move(e.contact_uri);
    entries_.erase(it);
    ++dropped_;
    if (dead_) dead_(aor, contact_uri);
    return;
  }
  // The next one an interval after the latest tick (the result of a timeout arrives late).
  due_.push_back(Due{last_tick_ + options_.interval, key, generation});
  std::ranges::push_heap(due_, std::greater<>{});
}

}  // namespace sb::calls
