#pragma once
// A SQLite connection and prepared statements, RAII. A Connection belongs to one thread:
// the read connection to the signalling loop, the write connection to the store writer.

#include "core/string_map.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sb::store::sqlite {

// The error category of SQLite result codes (value = the extended result code).
const std::error_category& sqlite_category();
std::error_code make_error(int sqlite_code);

class Connection;

// Compiled statements by SQL text, looked up without copying the text (it is long for writes).
using StatementCache = StringMap<sqlite3_stmt*>;

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);  // throws std::runtime_error on a bad statement
  // A statement of `owner`'s cache (its entry, taken out while in use): given back to it (reset)
  // when destroyed, not finalized.
  Statement(Connection& owner, StatementCache::node_type entry);
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::string>& value);
  Statement& bind_optional(int index, const std::optional<std::int64_t>& value);
  // Without a copy: `value` must stay alive and unchanged until this Statement is destroyed or
  // reset (a job's captured row, say).
  Statement& bind_view(int index, std::string_view value);
  Statement& bind_optional_view(int index, const std::optional<std::string>& value);

  // True while a row is available; false when done. Throws on error (see step_checked).
  bool step();
  // Steps to completion; returns the error instead of throwing.
  std::error_code run();
  void reset();

  std::string column_text(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  std::int64_t column_int(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Connection* owner_ = nullptr;
  StatementCache::node_type entry_;  // the cache's entry (SQL text, statement), when owner_ is set
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  Connection(const std::filesystem::path& path, Mode mode);  // throws on failure (start-up only)
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs SQL with no results; throws std::runtime_error naming the failure.
  void exec(std::string_view sql);
  std::error_code try_exec(std::string_view sql);
  // Compiles `sql` the first time; later calls with the same text reuse the compiled statement
  // (parsing costs more than running the small indexed queries the store makes). A Statement
  // must be destroyed before its Connection.
  Statement prepare(std::string_view sql);
  sqlite3* handle() const { return db_; }

 private:
  friend class Statement;
  void give_back(StatementCache::node_type entry) noexcept;

  static constexpr std::size_t kMaxCachedStatements = 256;
  sqlite3* db_ = nullptr;
  StatementCache idle_;  // compiled statements not in use
};

}  // namespace sb::store::sqlite
