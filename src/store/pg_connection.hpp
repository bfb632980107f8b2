#pragma once
// RAII wrappers over libpq: one connection, one result, one transaction. Every failure becomes
// an exception: store::Unavailable when the server cannot be reached or the connection broke
// (the caller may retry later), PgError (with the SQLSTATE) for anything the server rejected.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/pg_url.hpp"

struct pg_conn;
struct pg_result;

namespace parley::store {

class PgError : public std::runtime_error {
  public:
    PgError(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate(std::move(sqlstate)) {}
    std::string sqlstate;  // e.g. 23505 unique_violation, 23503 foreign_key_violation
};

// A query parameter in text form; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;

class PgResult {
  public:
    explicit PgResult(pg_result* result) : result_(result) {}
    ~PgResult();
    PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
    PgResult& operator=(PgResult&&) = delete;
    PgResult(const PgResult&) = delete;

    int rows() const;
    bool is_null(int row, int column) const;
    std::string text(int row, int column) const;
    std::int64_t int64(int row, int column) const;
    std::string bytes(int row, int column) const;  // a bytea column, unescaped

  private:
    pg_result* result_;
};

class PgConnection {
  public:
    // Connects (blocking, bounded by connect_timeout). Throws Unavailable naming host and port.
    explicit PgConnection(const PgUrl& url);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Runs one statement with text parameters ($1, $2, ...).
    PgResult exec(std::string_view sql, const std::vector<PgParam>& params = {});
    // Runs several ';'-separated statements without parameters (schema migrations).
    void exec_script(std::string_view sql);
    // True once the connection is known to be unusable; the pool then drops it.
    bool broken() const;
    pg_conn* raw() const { return conn_; }
    const PgUrl& url() const { return url_; }

  private:
    // Turns a failed result into the right exception; returns a successful one.
    PgResult check(pg_result* raw, const std::string& query);

    PgUrl url_;
    pg_conn* conn_ = nullptr;
};

// BEGIN ... COMMIT; rolls back when destroyed without commit() (e.g. when a statement threw).
class PgTransaction {
  public:
    explicit PgTransaction(PgConnection& conn);
    ~PgTransaction();
    PgTransaction(const PgTransaction&) = delete;
    PgTransaction& operator=(const PgTransaction&) = delete;
    void commit();

  private:
    PgConnection& conn_;
    bool open_ = true;
};

// A text[] parameter in PostgreSQL's array literal form: {"a","b\"c"}.
std::string pg_text_array(const std::vector<std::string>& items);

// bytea parameters travel as hex text ('\x...'), which every server version accepts.
std::string pg_bytea_literal(std::string_view bytes);

}  // namespace parley::store
