#pragma once
// Schema migrations, versioned in code (PRAGMA user_version) and applied at start.

#include "store/sqlite/connection.hpp"

namespace sb::store::sqlite {

// The schema version this build writes.
int latest_schema_version();

// Applies every migration above the database's version, each in its own transaction.
// Throws when the database is newer than this build (refuse to run rather than corrupt it).
void migrate(Connection& connection);

}  // namespace sb::store::sqlite
