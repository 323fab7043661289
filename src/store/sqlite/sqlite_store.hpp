#pragma once
// Opens the embedded SQLite store: WAL mode, foreign keys, migrations applied, one read
// connection for the signalling loop and one writer thread.

#include "store/sqlite/writer.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <memory>

namespace sb::store::sqlite {

// Throws std::runtime_error when the file cannot be opened or migrated (start-up failure).
std::unique_ptr<Store> open_store(const std::filesystem::path& database_file, Poster post_to_loop);

}  // namespace sb::store::sqlite
