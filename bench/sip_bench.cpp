// SIP parser and serializer throughput: a typical INVITE with SDP (as a softphone sends it
// through one proxy) and its 200 OK. items_per_second is messages per second on one core.

#include <benchmark/benchmark.h>

#include <string>

#include "sip/message/serializer.hpp"
#include "sip/parser/message_builder.hpp"
#include "sip/parser/parser.hpp"

namespace {

using namespace sb::sip;

const std::string kSdp =
    "v=0\r\n"
    "o=- 3912437163 3912437163 IN IP4 192.0.2.10\r\n"
    "s=switchboard\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

const std::string kInvite =
    "INVITE sip:+14155550123@sip.example.com;transport=udp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-524287-1---8d3a9b1f2c4e5a67;rport\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5062;received=192.0.2.10;rport=5062;branch=z9hG4bK-d8754z-1c3f6b9e2a7d4f10\r\n"
    "Max-Forwards: 69\r\n"
    "Record-Route: <sip:198.51.100.7;lr;ftag=as5f2d8e1b>\r\n"
    "Contact: <sip:alice@192.0.2.10:5062;transport=udp>\r\n"
    "To: <sip:+14155550123@sip.example.com>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=as5f2d8e1b\r\n"
    "Call-ID: 7c1e3f0a9b2d4c6e8f1a3b5c7d9e1f20@192.0.2.10\r\n"
    "CSeq: 102 INVITE\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, INFO, UPDATE\r\n"
    "Supported: replaces, timer\r\n"
    "User-Agent: Example Softphone 5.2\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: " + std::to_string(kSdp.size()) + "\r\n"
    "\r\n" + kSdp;

std::string make_ok() {
  auto invite = parse_message(kInvite);
  auto b = make_response(invite.message(), 200, {}, "sb7f3a91c2");
  b.add(HeaderId::Contact, "<sip:+14155550123@203.0.113.5:5060>")
      .add(HeaderId::Allow, "INVITE, ACK, CANCEL, OPTIONS, BYE")
      .add(HeaderId::Supported, "replaces, timer")
      .add(HeaderId::ContentType, "application/sdp")
      .body(kSdp);
  return b.to_string();
}

const std::string kOk = make_ok();

enum class Work { ParseSerialize, ReadTransactionKeys, Validate };

// Parse (start line, Request-URI, header fields, Content-Length; header values stay lazy) and
// serialize into a reused buffer. ReadTransactionKeys also parses the top Via and CSeq, as the
// transaction layer does for every message; Validate also runs validate() (RFC 3261 8.2 / 16.3:
// every Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Record-Route, Content-Type parsed).
void parse_and_serialize(benchmark::State& state, const std::string& input, Work work) {
  ParseOptions options;
  options.validate = work == Work::Validate;
  std::string out;
  for (auto _ : state) {
    auto result = parse_message(std::string(input), options);
    if (!result.ok()) state.SkipWithError("parse failed");
    const auto& m = result.message();
    if (work != Work::ParseSerialize) {
      auto via = m.top_via();
      auto cseq = m.cseq();
      benchmark::DoNotOptimize(via);
      benchmark::DoNotOptimize(cseq);
    }
    out.clear();
    serialize(m, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}

void BM_InviteParseSerialize(benchmark::State& state) { parse_and_serialize(state, kInvite, Work::ParseSerialize); }
void BM_OkParseSerialize(benchmark::State& state) { parse_and_serialize(state, kOk, Work::ParseSerialize); }
void BM_InviteParseViaCSeqSerialize(benchmark::State& state) {
  parse_and_serialize(state, kInvite, Work::ReadTransactionKeys);
}
void BM_OkParseViaCSeqSerialize(benchmark::State& state) { parse_and_serialize(state, kOk, Work::ReadTransactionKeys); }
void BM_InviteParseValidateSerialize(benchmark::State& state) { parse_and_serialize(state, kInvite, Work::Validate); }
void BM_OkParseValidateSerialize(benchmark::State& state) { parse_and_serialize(state, kOk, Work::Validate); }

void BM_InviteParseOnly(benchmark::State& state) {
  ParseOptions options;
  options.validate = false;
  for (auto _ : state) {
    auto result = parse_message(std::string(kInvite), options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_InviteParseSerialize);
BENCHMARK(BM_OkParseSerialize);
BENCHMARK(BM_InviteParseViaCSeqSerialize);
BENCHMARK(BM_OkParseViaCSeqSerialize);
BENCHMARK(BM_InviteParseValidateSerialize);
BENCHMARK(BM_OkParseValidateSerialize);
BENCHMARK(BM_InviteParseOnly);

}  // namespace

namespace {

void BM_ParseUri(benchmark::State& state) {
  const std::string_view text = "sip:+14155550123@sip.example.com;transport=udp";
  for (auto _ : state) {
    auto uri = parse_uri(text);
    benchmark::DoNotOptimize(uri);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ParseVia(benchmark::State& state) {
  const std::string_view text = "SIP/2.0/UDP 192.0.2.10:5062;received=192.0.2.10;rport=5062;branch=z9hG4bK-d8754z-1c3f6b9e2a7d4f10";
  for (auto _ : state) {
    auto via = parse_via(text);
    benchmark::DoNotOptimize(via);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ParseNameAddr(benchmark::State& state) {
  const std::string_view text = "\"Alice\" <sip:alice@example.com>;tag=as5f2d8e1b";
  for (auto _ : state) {
    auto address = parse_name_addr(text);
    benchmark::DoNotOptimize(address);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Validate(benchmark::State& state) {
  ParseOptions options;
  options.validate = false;
  auto parsed = parse_message(kInvite, options);
  for (auto _ : state) {
    auto ec = validate(parsed.message());
    benchmark::DoNotOptimize(ec);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ParseUri);
BENCHMARK(BM_ParseVia);
BENCHMARK(BM_ParseNameAddr);
BENCHMARK(BM_Validate);

}  // namespace
