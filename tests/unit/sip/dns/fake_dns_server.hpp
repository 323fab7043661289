#pragma once
// FakeDnsServer: a DNS server for tests on 127.0.0.1 (UDP, port 0) answering A, AAAA, SRV and
// NAPTR questions from a table, with the minimal RFC 1035 wire format written here. Names in the
// table exist (an empty answer for other types); any other name is NXDOMAIN. `is_silent` makes
// it drop every question (timeouts); `truncates_udp` answers UDP with TC set and no records, so
// the client asks again over TCP (RFC 1035 4.2.2, on the same port). Runs on the test's
// io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sb::sip::test {

class FakeDnsServer {
 public:
  static constexpr std::uint16_t kA = 1;
  static constexpr std::uint16_t kAaaa = 28;
  static constexpr std::uint16_t kSrv = 33;
  static constexpr std::uint16_t kNaptr = 35;

  // UDP on a free port, TCP on the same one; when another process holds that TCP port (tests run
  // in parallel), another UDP port is tried.
  explicit FakeDnsServer(boost::asio::io_context& io) : socket_(io), acceptor_(io) {
    const auto loopback = boost::asio::ip::make_address("127.0.0.1");
    for (int attempt = 0;; ++attempt) {
      socket_.open(boost::asio::ip::udp::v4());
      socket_.bind({loopback, 0});
      boost::system::error_code ec;
      acceptor_.open(boost::asio::ip::tcp::v4());
      acceptor_.bind({loopback, socket_.local_endpoint().port()}, ec);
      if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
      if (!ec) break;
      acceptor_.close();
      socket_.close();
      if (attempt == 20) throw boost::system::system_error(ec, "FakeDnsServer: no UDP+TCP port pair");
    }
    receive();
    accept();
  }

  // "127.0.0.1:port", for ResolverConfig::nameserver.
  std::string address() const { return "127.0.0.1:" + std::to_string(socket_.local_endpoint().port()); }

  void add_a(const std::string& name, const std::string& address, std::uint32_t ttl = 300) {
    const auto bytes = boost::asio::ip::make_address_v4(address).to_bytes();
    add(name, kA, ttl, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  }
  void add_aaaa(const std::string& name, const std::string& address, std::uint32_t ttl = 300) {
    const auto bytes = boost::asio::ip::make_address_v6(address).to_bytes();
    add(name, kAaaa, ttl, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  }
  void add_srv(const std::string& name, std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
               const std::string& target, std::uint32_t ttl = 300) {
    std::vector<std::uint8_t> rdata;
    put16(rdata, priority);
    put16(rdata, weight);
    put16(rdata, port);
    put_name(rdata, target);
    add(name, kSrv, ttl, std::move(rdata));
  }
  void add_naptr(const std::string& name, std::uint16_t order, std::uint16_t preference, const std::string& flags,
                 const std::string& service, const std::string& replacement, std::uint32_t ttl = 300) {
    std::vector<std::uint8_t> rdata;
    put16(rdata, order);
    put16(rdata, preference);
    put_text(rdata, flags);
    put_text(rdata, service);
    put_text(rdata, "");  // regexp: unused by SIP (RFC 3263 4.1)
    put_name(rdata, replacement);
    add(name, kNaptr, ttl, std::move(rdata));
  }
  // A name that exists without records of its own (NOERROR, empty answers).
  void add_name(const std::string& name) { names_[lower(name)]; }

  bool is_silent = false;
  bool truncates_udp = false;
  int tcp_questions = 0;
  // Questions received, as "TYPE name" ("SRV _sip._udp.example.test").
  std::vector<std::string> questions;

 private:
  struct Record {
    std::uint16_t type;
    std::uint32_t ttl;
    std::vector<std::uint8_t> rdata;
  };

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
  }
  static void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
  }
  static void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v & 0xffff));
  }
  static void put_text(std::vector<std::uint8_t>& out, const std::string& text) {
    out.push_back(static_cast<std::uint8_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
  }
  // RFC 1035 3.1: labels, each after its length, then the root's zero; "." is the root alone.
  static void put_name(std::vector<std::uint8_t>& out, const std::string& name) {
    std::size_t start = 0;
    while (start < name.size()) {
      auto dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      if (dot > start) put_text(out, name.substr(start, dot - start));
      start = dot + 1;
    }
    out.push_back(0);
  }
  static std::string type_name(std::uint16_t type) {
    switch (type) {
      case kA: return "A";
      case kAaaa: return "AAAA";
      case kSrv: return "SRV";
      case kNaptr: return "NAPTR";
    }
    return std::to_string(type);
  }

  void add(const std::string& name, std::uint16_t type, std::uint32_t ttl, std::vector<std::uint8_t> rdata) {
    names_[lower(name)].push_back({type, ttl, std::move(rdata)});
  }

  void receive() {
    socket_.async_receive_from(boost::asio::buffer(buffer_), peer_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      if (auto out = answer(buffer_.data(), n, false)) socket_.send_to(boost::asio::buffer(*out), peer_);
      receive();
    });
  }

  // RFC 1035 4.2.2: over TCP each message is preceded by its length in two bytes.
  struct Stream {
    explicit Stream(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::tcp::socket socket;
    std::array<std::uint8_t, 2> length{};
    std::vector<std::uint8_t> query;
    std::vector<std::uint8_t> reply;
  };

  void accept() {
    auto stream = std::make_shared<Stream>(static_cast<boost::asio::io_context&>(acceptor_.get_executor().context()));
    acceptor_.async_accept(stream->socket, [this, stream](boost::system::error_code ec) {
      if (ec) return;
      read_query(stream);
      accept();
    });
  }

  void read_query(const std::shared_ptr<Stream>& stream) {
    namespace asio = boost::asio;
    using boost::system::error_code;
    asio::async_read(stream->socket, asio::buffer(stream->length), [this, stream](error_code ec, std::size_t) {
      if (ec) return;
      stream->query.resize(static_cast<std::size_t>((stream->length[0] << 8) | stream->length[1]));
      asio::async_read(stream->socket, asio::buffer(stream->query), [this, stream](error_code rec, std::size_t n) {
        if (rec) return;
        ++tcp_questions;
        auto out = answer(stream->query.data(), n, true);
        if (!out) return read_query(stream);
        stream->reply.clear();
        put16(stream->reply, static_cast<std::uint16_t>(out->size()));
        stream->reply.insert(stream->reply.end(), out->begin(), out->end());
        asio::async_write(stream->socket, asio::buffer(stream->reply), [this, stream](error_code wec, std::size_t) {
          if (!wec) read_query(stream);
        });
      });
    });
  }

  std::optional<std::vector<std::uint8_t>> answer(const std::uint8_t* query, std::size_t n, bool is_tcp) {
    if (n < 12) return std::nullopt;
    // The question: QNAME labels, then QTYPE and QCLASS.
    std::size_t p = 12;
    std::string name;
    while (p < n && query[p] != 0) {
      const std::size_t length = query[p];
      if (p + 1 + length > n) return std::nullopt;
      if (!name.empty()) name.push_back('.');
      name.append(reinterpret_cast<const char*>(&query[p + 1]), length);
      p += 1 + length;
    }
    if (p + 5 > n) return std::nullopt;
    const std::size_t question_end = p + 5;
    const std::uint16_t type = static_cast<std::uint16_t>((query[p + 1] << 8) | query[p + 2]);
    questions.push_back(type_name(type) + " " + lower(name));
    if (is_silent) return std::nullopt;
    const auto it = names_.find(lower(name));
    std::vector<std::uint8_t> out(query, query + question_end);
    std::uint16_t answers = 0;
    std::vector<std::uint8_t> records;
    const bool is_truncated = truncates_udp && !is_tcp;
    if (it != names_.end() && !is_truncated) {
      for (const auto& r : it->second) {
        if (r.type != type) continue;
        ++answers;
        put16(records, 0xc00c);  // the question's name (RFC 1035 4.1.4 compression)
        put16(records, r.type);
        put16(records, 1);  // IN
        put32(records, r.ttl);
        put16(records, static_cast<std::uint16_t>(r.rdata.size()));
        records.insert(records.end(), r.rdata.begin(), r.rdata.end());
      }
    }
    // Header: same id, QR (+ TC) + RD copied + RA, rcode NXDOMAIN (3) for unknown names; one
    // question.
    out[2] = static_cast<std::uint8_t>(0x80 | (is_truncated ? 0x02 : 0) | (query[2] & 0x01));
    out[3] = static_cast<std::uint8_t>(0x80 | (it == names_.end() ? 3 : 0));
    out[4] = 0;
    out[5] = 1;
    out[6] = static_cast<std::uint8_t>(answers >> 8);
    out[7] = static_cast<std::uint8_t>(answers & 0xff);
    out[8] = out[9] = out[10] = out[11] = 0;
    out.insert(out.end(), records.begin(), records.end());
    return out;
  }

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::udp::endpoint peer_;
  std::array<std::uint8_t, 1500> buffer_{};
  std::map<std::string, std::vector<Record>> names_;
};

}  // namespace sb::sip::test
