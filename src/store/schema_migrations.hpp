#pragma once
// The database schema as an ordered list of migrations. PRAGMA user_version records how many
// have been applied, so each runs exactly once, and all pending ones run in one transaction.
struct sqlite3;

namespace parley::store {

int latest_schema_version();

// Brings the schema up to latest_schema_version(). Throws std::runtime_error when the file
// was written by a newer Parley; it is left untouched in that case.
void migrate_schema(sqlite3* db);

}  // namespace parley::store
