#pragma once
// The default Store: one SQLite 3 database file in WAL mode under the data directory.
#include <filesystem>
#include <memory>

#include "store/store.hpp"

namespace parley::store {

// Creates missing parent directories and the file, then migrates the schema to the latest
// version. Throws std::runtime_error if the file cannot be opened, is not a database, or was
// written by a newer Parley (schema version above the one this code knows).
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& database_file);

}  // namespace parley::store
