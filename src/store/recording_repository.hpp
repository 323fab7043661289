#pragma once
// Recordings (RE...): audio a call recorded (<Record>, later <Dial record> and Record=true),
// with the file it lives in under the data directory.

#include "store/account_repository.hpp"

#include <cstdint>

namespace sb::store {

struct Recording {
  std::string sid;
  std::string account_sid;
  std::string call_sid;
  std::string status = "completed";  // in-progress paused stopped processing completed absent
  std::string source = "RecordVerb";  // RecordVerb DialVerb OutboundAPI ...
  std::string track = "both";
  int channels = 1;
  std::optional<std::int64_t> duration;  // whole seconds
  std::optional<int> error_code;
  std::string file;  // the WAV file's path
  SystemTime start_time;
  SystemTime date_created;
  SystemTime date_updated;
};

struct RecordingFilter {
  std::string account_sid;
  std::optional<std::string> call_sid;
  std::optional<SystemTime> created_on_or_after;
  std::optional<SystemTime> created_before;
};

class RecordingRepository {
 public:
  virtual ~RecordingRepository() = default;
  virtual std::optional<Recording> find(std::string_view account_sid, std::string_view sid) = 0;
  // Newest first, as Twilio lists recordings.
  virtual Page<Recording> list(const RecordingFilter& filter, const PageQuery& page) = 0;
  virtual void save(const Recording& recording, Completion done) = 0;
  virtual void remove(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
