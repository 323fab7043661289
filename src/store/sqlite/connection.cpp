#include "store/sqlite/connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace sb::store::sqlite {
namespace {

class SqliteCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sqlite"; }
  std::string message(int code) const override { return sqlite3_errstr(code); }
};

}  // namespace

const std::error_category& sqlite_category() {
  static const SqliteCategory category;
  return category;
}

std::error_code make_error(int sqlite_code) { return {sqlite_code, sqlite_category()}; }

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    throw std::runtime_error(fmt::format("sqlite prepare failed: {} in: {}", sqlite3_errmsg(db), sql));
  }
}

Statement::Statement(Connection& owner, StatementCache::node_type entry)
    : db_(owner.handle()), stmt_(entry.mapped()), owner_(&owner), entry_(std::move(entry)) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), owner_(other.owner_), entry_(std::move(other.entry_)) {
  other.stmt_ = nullptr;
  other.owner_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owner_ != nullptr) {
    owner_->give_back(std::move(entry_));
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_view(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_optional_view(int index, const std::optional<std::string>& value) {
  return value ? bind_view(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_optional(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw std::system_error(make_error(sqlite3_extended_errcode(db_)), sqlite3_errmsg(db_));
}

std::error_code Statement::run() {
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
  }
  if (rc == SQLITE_DONE) return {};
  return make_error(sqlite3_extended_errcode(db_));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
  return column_text(index);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
  return column_int(index);
}

namespace {

// SQLite counts memory under one process-wide mutex by default, on every allocation of every
// connection: the loop's reads then wait whenever the writer thread holds it, and if the writer
// is preempted meanwhile, for the rest of another process's time slice. Nothing here reads those
// counts. Must precede SQLite's initialization, so it runs before the first connection opens.
void configure_sqlite_once() {
  static const bool configured = [] {
    if (const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); rc != SQLITE_OK) {
      spdlog::debug("store: SQLite memory statistics stay on ({})", sqlite3_errstr(rc));
    }
    return true;
  }();
  (void)configured;
}

}  // namespace

Connection::Connection(const std::filesystem::path& path, Mode mode) {
  configure_sqlite_once();
  const int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(fmt::format("cannot open database {}: {}", path.string(), why));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA foreign_keys = ON");
}

Connection::~Connection() {
  // Every Statement is destroyed by its owner before the connection closes.
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Statement Connection::prepare(std::string_view sql) {
  if (auto it = idle_.find(sql); it != idle_.end()) return Statement(*this, idle_.extract(it));
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) {
    throw std::runtime_error(fmt::format("sqlite prepare failed: {} in: {}", sqlite3_errmsg(db_), sql));
  }
  // The entry is made in the cache and taken out at once: a node handle cannot be made alone.
  return Statement(*this, idle_.extract(idle_.emplace(std::string(sql), stmt).first));
}

void Connection::give_back(StatementCache::node_type entry) noexcept {
  sqlite3_stmt* stmt = entry.mapped();
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  // A second copy of a statement in use at the same time, or past the cap, is simply dropped.
  if (idle_.size() >= kMaxCachedStatements || idle_.contains(entry.key())) {
    sqlite3_finalize(stmt);
    return;
  }
  idle_.insert(std::move(entry));
}

void Connection::exec(std::string_view sql) {
  if (auto ec = try_exec(sql)) {
    throw std::runtime_error(fmt::format("sqlite: {} in: {}", sqlite3_errmsg(db_), sql));
  }
}

std::error_code Connection::try_exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return make_error(sqlite3_extended_errcode(db_));
  return {};
}

}  // namespace sb::store::sqlite
