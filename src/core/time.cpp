#include "core/time.hpp"

#include <fmt/format.h>

#include <charconv>

namespace sb {

SystemTime now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string format_rfc2822(SystemTime t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const weekday wd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kDays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  const char* first = text.data() + pos;
  const auto [ptr, ec] = std::from_chars(first, first + len, out);
  return ec == std::errc{} && ptr == first + len;
}

}  // namespace

std::optional<SystemTime> parse_date_filter(std::string_view text) {
  using namespace std::chrono;
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0;
  if (text.size() != 10 && text.size() != 19) return std::nullopt;
  if (!read_int(text, 0, 4, y) || text[4] != '-' || !read_int(text, 5, 2, m) || text[7] != '-' ||
      !read_int(text, 8, 2, d)) {
    return std::nullopt;
  }
  if (text.size() == 19) {
    if ((text[10] != ' ' && text[10] != 'T') || !read_int(text, 11, 2, hh) || text[13] != ':' ||
        !read_int(text, 14, 2, mm) || text[16] != ':' || !read_int(text, 17, 2, ss)) {
      return std::nullopt;
    }
    if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return SystemTime{sys_days{ymd}} + hours{hh} + minutes{mm} + seconds{ss};
}

}  // namespace sb
