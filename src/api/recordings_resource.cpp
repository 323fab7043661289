// The Recordings resource (/Accounts/{Sid}/Recordings and /Calls/{CallSid}/Recordings): list,
// fetch and delete recordings, and their audio (RecordingUrl, RecordingUrl.wav).

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"
#include "calls/recording_media.hpp"
#include "core/log.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sb::api {
namespace {

std::string recording_path(const store::Recording& r) {
  return fmt::format("/2010-04-01/Accounts/{}/Recordings/{}", r.account_sid, r.sid);
}

boost::json::object render_recording(const store::Recording& r, std::string_view host) {
  boost::json::value duration = r.duration ? boost::json::value(std::to_string(*r.duration)) : nullptr;
  boost::json::value error = r.error_code ? boost::json::value(*r.error_code) : nullptr;
  return {
      {"account_sid", r.account_sid},
      {"api_version", kApiVersion},
      {"call_sid", r.call_sid},
      {"channels", r.channels},
      {"conference_sid", nullptr},
      {"date_created", json_date(r.date_created)},
      {"date_updated", json_date(r.date_updated)},
      {"duration", std::move(duration)},
      {"encryption_details", nullptr},
      {"error_code", std::move(error)},
      {"media_url", fmt::format("http://{}{}", host, recording_path(r))},
      {"price", nullptr},
      {"price_unit", "USD"},
      {"sid", r.sid},
      {"source", r.source},
      {"start_time", json_date(r.start_time)},
      {"status", r.status},
      {"subresource_uris",
       boost::json::object{{"add_on_results", recording_path(r) + "/AddOnResults.json"},
                           {"transcriptions", recording_path(r) + "/Transcriptions.json"}}},
      {"track", r.track},
      {"uri", recording_path(r) + ".json"},
  };
}

void list_recordings(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  store::RecordingFilter filter{.account_sid = ctx->account->sid};
  if (ctx->captures.size() > 1) {
    filter.call_sid = ctx->captures[1];
  } else {
    filter.call_sid = ctx->query.get("CallSid");
  }
  if (auto e = read_date_filter(ctx->query, "DateCreated", filter.created_on_or_after, filter.created_before)) {
    return ctx->fail(*e);
  }
  const auto page = ctx->store.recordings().list(filter, page_query);
  boost::json::array items;
  for (const auto& r : page.items) items.push_back(render_recording(r, ctx->request.header("Host")));
  ctx->respond(200, page_envelope("recordings", std::move(items), ctx->request.path(), ctx->query, page_query,
                                  page_result(page)));
}

// The recording in the path (its SID is the last capture), if it belongs to the path's account
// (and call, on the call's subresource).
std::optional<store::Recording> find_recording(const ContextPtr& ctx) {
  auto r = ctx->store.recordings().find(ctx->account->sid, ctx->captures.back());
  if (r && ctx->captures.size() == 3 && r->call_sid != ctx->captures[1]) return std::nullopt;
  return r;
}

void fetch_recording(const ContextPtr& ctx) {
  const auto r = find_recording(ctx);
  if (!r) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_recording(*r, ctx->request.header("Host")));
}

void delete_recording(const ContextPtr& ctx) {
  const auto r = find_recording(ctx);
  if (!r) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (r->status == "in-progress") {
    // It is still being written; its completion would store it again.
    return ctx->fail(ApiError{400, 20009,
                              fmt::format("Recording {} is in progress: end it (or its call) before deleting it", r->sid),
                              ""});
  }
  ctx->store.recordings().remove(r->sid, [ctx, recording = *r](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    std::error_code ignored;
    std::filesystem::remove(recording.file, ignored);
    ctx->respond_no_content();
  });
}

std::optional<http::Response> read_media(const std::filesystem::path& file, std::string content_type) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  http::Response response;
  response.set("Content-Type", std::move(content_type));
  response.body = std::move(bytes).str();
  return response;
}

std::optional<store::Recording> find_completed(const ContextPtr& ctx) {
  const std::string& sid = ctx->captures.back();
  if (sid.find('.') != std::string::npos) return std::nullopt;
  auto r = ctx->store.recordings().find(ctx->account->sid, sid);
  if (!r || r->status != "completed") return std::nullopt;
  return r;
}

// RecordingUrl and RecordingUrl.wav: the WAV file. Like Twilio's default, no credentials are
// needed: the 34-character SIDs are the capability.
void recording_media(const ContextPtr& ctx) {
  const auto r = find_completed(ctx);
  if (!r) return ctx->fail(ApiError::not_found(ctx->request.path()));
  auto response = read_media(r->file, "audio/x-wav");
  if (!response) {
    spdlog::error("api: recording {} has no file at {}", r->sid, r->file);
    return ctx->fail(ApiError::not_found(ctx->request.path()));
  }
  ctx->reply(std::move(*response));
}

// RecordingUrl.mp3: encoded from the WAV on first request (on a worker thread: encoding an hour
// takes a while), then kept beside it.
void recording_mp3(const ContextPtr& ctx) {
  const auto r = find_completed(ctx);
  if (!r) return ctx->fail(ApiError::not_found(ctx->request.path()));
  std::thread([ctx, recording = *r] {
    const auto mp3 = calls::ensure_mp3(recording);
    auto response = mp3 ? read_media(*mp3, "audio/mpeg") : std::nullopt;
    if (!response) {
      spdlog::error("api: recording {}: no MP3: {}", recording.sid,
                    mp3 ? "the file cannot be read" : mp3.error().message());
      return ctx->reply(render(ApiError::internal()));
    }
    ctx->reply(std::move(*response));
  }).detach();
}

}  // namespace

void add_recording_routes(Router& router) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/Recordings.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/Recordings/{}.json";
  const std::vector<std::string> filters = {"CallSid", "DateCreated", "DateCreated<", "DateCreated>"};
  router.add({"GET", kList, Scope::kAccount, false, filters, list_recordings});
  router.add({"GET", kItem, Scope::kAccount, false, {}, fetch_recording});
  router.add({"DELETE", kItem, Scope::kAccount, false, {}, delete_recording});
  router.add({"GET", "/2010-04-01/Accounts/{}/Calls/{}/Recordings.json", Scope::kAccount, false, filters,
              list_recordings});
  router.add({"GET", "/2010-04-01/Accounts/{}/Calls/{}/Recordings/{}.json", Scope::kAccount, false, {},
              fetch_recording});
  router.add({"DELETE", "/2010-04-01/Accounts/{}/Calls/{}/Recordings/{}.json", Scope::kAccount, false, {},
              delete_recording});
  router.add({"GET", "/2010-04-01/Accounts/{}/Recordings/{}.wav", Scope::kAccount, false, {}, recording_media, true});
  router.add({"GET", "/2010-04-01/Accounts/{}/Recordings/{}.mp3", Scope::kAccount, false, {}, recording_mp3, true});
  router.add({"GET", "/2010-04-01/Accounts/{}/Recordings/{}", Scope::kAccount, false, {}, recording_media, true});
}

}  // namespace sb::api
