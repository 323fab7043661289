#pragma once
// The running server: the signalling loop and everything on it (store, REST API, HTTP server),
// wired together, with start-up, the ready banner and clean shutdown on SIGINT/SIGTERM.

#include "app/config.hpp"

namespace sb::app {

struct ServeOptions {
  bool show_credentials = false;  // print the auth token on every start, not only the first
};

// Runs until SIGINT or SIGTERM; returns the process exit code. Throws on start-up failures.
int serve(const Config& config, const ServeOptions& options);

// Prints the main account's SID and auth token from the data dir's database (for operators
// with access to the files); returns the exit code.
int print_credentials(const std::filesystem::path& data_dir);

}  // namespace sb::app
