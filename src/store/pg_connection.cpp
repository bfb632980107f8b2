#include "store/pg_connection.hpp"

#include <libpq-fe.h>

#include <array>
#include <charconv>

#include "store/store.hpp"

namespace parley::store {
namespace {

std::string trimmed(const char* message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// SQLSTATEs that mean "the server is going away or not there", not "your query is wrong".
bool is_connection_state(std::string_view state) {
    return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

}  // namespace

PgResult::~PgResult() {
    if (result_ != nullptr) PQclear(result_);
}

int PgResult::rows() const {
    return PQntuples(result_);
}

bool PgResult::is_null(int row, int column) const {
    return PQgetisnull(result_, row, column) != 0;
}

std::string PgResult::text(int row, int column) const {
    return std::string(PQgetvalue(result_, row, column),
                       static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t PgResult::int64(int row, int column) const {
    const char* value = PQgetvalue(result_, row, column);
    const char* end = value + PQgetlength(result_, row, column);
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(value, end, out);
    if (ec != std::errc{} || p != end) {
        throw std::runtime_error("postgresql: column " + std::to_string(column) +
                                 " is not an integer");
    }
    return out;
}

std::string PgResult::bytes(int row, int column) const {
    std::size_t length = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)), &length);
    if (raw == nullptr) throw std::runtime_error("postgresql: cannot decode a bytea column");
    std::string out(reinterpret_cast<const char*>(raw), length);
    PQfreemem(raw);
    return out;
}

PgConnection::PgConnection(const PgUrl& url) : url_(url) {
    // Later keywords override what the URL says, earlier ones are defaults it may override.
    const std::array<const char*, 8> keywords = {"connect_timeout",  "keepalives_idle",
                                                 "keepalives_count", "application_name",
                                                 "dbname",           nullptr};
    const std::array<const char*, 8> values = {"3",    "10", "3", "parleyd", url_.url.c_str(),
                                               nullptr};
    conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
    if (conn_ == nullptr) throw Unavailable("postgresql: out of memory while connecting");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string why = trimmed(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw Unavailable("cannot connect to PostgreSQL at " + url_.where() + " (database '" +
                          url_.database + "', user '" + url_.user + "'): " + why);
    }
    // A stuck lock or query must not hold a control request (and its event loop) forever.
    try {
        exec("SET statement_timeout = 15000");
        exec("SET lock_timeout = 10000");
    } catch (...) {
        PQfinish(conn_);  // the destructor does not run for a constructor that throws
        conn_ = nullptr;
        throw;
    }
}

PgConnection::~PgConnection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

bool PgConnection::broken() const {
    return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK;
}

void PgConnection::exec_script(std::string_view sql) {
    if (conn_ == nullptr) throw Unavailable("postgresql: not connected");
    const std::string query(sql);
    check(PQexec(conn_, query.c_str()), query);
}

PgResult PgConnection::exec(std::string_view sql, const std::vector<PgParam>& params) {
    if (conn_ == nullptr) throw Unavailable("postgresql: not connected");
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const std::string query(sql);
    return check(PQexecParams(conn_, query.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0),
                 query);
}

PgResult PgConnection::check(pg_result* raw, const std::string& query) {
    PgResult result(raw);  // owns raw from here on, whatever happens
    const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;

    const char* state_field = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    std::string state = state_field ? state_field : "";
    std::string why = trimmed(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_));
    if (why.empty()) why = trimmed(PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK || is_connection_state(state) || raw == nullptr) {
        throw Unavailable("lost the connection to PostgreSQL at " + url_.where() + ": " + why);
    }
    throw PgError("postgresql: " + why + " [" + state + "] in: " + query.substr(0, 80), state);
}

PgTransaction::PgTransaction(PgConnection& conn) : conn_(conn) {
    conn_.exec("BEGIN");
}

PgTransaction::~PgTransaction() {
    if (!open_ || conn_.broken()) return;
    try {
        conn_.exec("ROLLBACK");
    } catch (...) {
        // The connection is unusable; the pool notices broken() and drops it.
    }
}

void PgTransaction::commit() {
    conn_.exec("COMMIT");
    open_ = false;
}

std::string pg_text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        out += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::string pg_bytea_literal(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    return out;
}

}  // namespace parley::store
