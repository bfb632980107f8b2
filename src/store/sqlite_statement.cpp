#include "store/sqlite_statement.hpp"

#include <sqlite3.h>

#include <limits>
#include <stdexcept>

namespace parley::store {

void throw_sqlite_error(sqlite3* db, std::string_view context) {
    std::string message = "sqlite";
    if (db != nullptr) {
        if (const char* file = sqlite3_db_filename(db, "main"); file != nullptr && *file != '\0') {
            message += " (";
            message += file;
            message += ")";
        }
    }
    message += ": ";
    message += context;
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    throw std::runtime_error(message);
}

void execute(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        throw_sqlite_error(db, sql.substr(0, 80));
    }
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
    if (sqlite3_prepare_v2(db_, sql_.c_str(), static_cast<int>(sql_.size()) + 1, &stmt_, nullptr) !=
        SQLITE_OK) {
        sqlite3_finalize(stmt_);
        stmt_ = nullptr;
        throw_sqlite_error(db_, "prepare " + sql_.substr(0, 80));
    }
}

SqliteStatement::~SqliteStatement() {
    sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
    if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw std::runtime_error("sqlite: text too long to bind in " + sql_.substr(0, 80));
    }
    // A null data pointer would bind SQL NULL; an empty string must stay an empty string.
    const char* data = text.data() != nullptr ? text.data() : "";
    if (sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK) {
        throw_sqlite_error(db_, "bind " + sql_.substr(0, 80));
    }
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t number) {
    if (sqlite3_bind_int64(stmt_, index, number) != SQLITE_OK) {
        throw_sqlite_error(db_, "bind " + sql_.substr(0, 80));
    }
    return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
        throw_sqlite_error(db_, "bind " + sql_.substr(0, 80));
    }
    return *this;
}

bool SqliteStatement::step() {
    switch (sqlite3_step(stmt_)) {
        case SQLITE_ROW:
            return true;
        case SQLITE_DONE:
            return false;
        default:
            throw_sqlite_error(db_, sql_.substr(0, 80));
    }
}

void SqliteStatement::run() {
    while (step()) {
    }
}

void SqliteStatement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string SqliteStatement::text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);  // after column_text, as documented
    if (data == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::int64_t SqliteStatement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

SqliteTransaction::SqliteTransaction(sqlite3* db, Kind kind) : db_(db) {
    execute(db_, kind == Kind::Write ? "BEGIN IMMEDIATE" : "BEGIN");
}

SqliteTransaction::~SqliteTransaction() {
    // A failed COMMIT may leave the transaction open; errors here have nowhere to go.
    if (open_ && sqlite3_get_autocommit(db_) == 0) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void SqliteTransaction::commit() {
    execute(db_, "COMMIT");
    open_ = false;
}

}  // namespace parley::store
