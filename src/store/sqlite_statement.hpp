#pragma once
// RAII wrappers over the SQLite C API: every handle is released, and every error becomes a
// std::runtime_error carrying sqlite3_errmsg, so a database failure never aborts the process.
#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store {

[[noreturn]] void throw_sqlite_error(sqlite3* db, std::string_view context);

// Runs SQL whose rows, if any, are not needed (DDL, PRAGMA assignments, BEGIN/COMMIT).
void execute(sqlite3* db, const std::string& sql);

class SqliteStatement {
  public:
    SqliteStatement(sqlite3* db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Parameters are 1-based, as in SQL. Text is copied, so temporaries are fine.
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bind(int index, std::int64_t number);
    SqliteStatement& bind_null(int index);

    bool step();   // true while a row is available; false when done
    void run();    // steps a statement that returns no rows
    void reset();  // clears bindings too, ready for the next run

    // Columns are 0-based, as in sqlite3_column_*. NULL reads as "" or 0.
    bool is_null(int column) const;
    std::string text(int column) const;
    std::int64_t int64(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;  // for error messages
};

// BEGIN IMMEDIATE for writes (takes the write lock up front, so it never fails half-way on an
// upgrade), BEGIN for reads (one snapshot across several SELECTs). Rolls back when destroyed
// without commit(), e.g. when a statement threw.
class SqliteTransaction {
  public:
    enum class Kind { Read, Write };
    SqliteTransaction(sqlite3* db, Kind kind);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    void commit();

  private:
    sqlite3* db_;
    bool open_ = true;
};

}  // namespace parley::store
