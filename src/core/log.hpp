#pragma once
// Process-wide logging on spdlog. Secrets (auth tokens, key secrets, passwords) are never logged.

#include <spdlog/spdlog.h>

#include <string_view>

namespace sb::log {

// Sets up the default logger on stderr at `level` ("trace".."critical", "off"); false if unknown.
bool init(std::string_view level);

}  // namespace sb::log
