#pragma once
// Opens the embedded SQLite store: WAL mode, foreign keys, migrations applied, one read
// connection for the signalling loop and one writer thread.

#include "store/sqlite/writer.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <memory>

namespace sb::store::sqlite {

// Throws std::runtime_error when the file cannot be opened or migrated (start-up failure).
// `defer_wake` (see Writer) wakes the writer once per pass of the loop instead of per write; the
// server passes the loop's post for both. `commit_delay`: see Writer.
std::unique_ptr<Store> open_store(const std::filesystem::path& database_file, Poster post_to_loop,
                                  Poster defer_wake = {}, std::chrono::microseconds commit_delay = {});

// The writer's connection as open_store makes it: journal and sync settings applied, schema
// migrated. For benchmarks and tests that drive a Writer directly. Throws like open_store.
std::unique_ptr<Connection> open_write_connection(const std::filesystem::path& database_file);

}  // namespace sb::store::sqlite
