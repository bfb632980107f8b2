#pragma once
// A PostgreSQL store URL, postgresql://user[:password]@host[:port]/database, parsed by libpq
// itself so that every form libpq accepts works. The password is kept only for connecting:
// redacted() is what may be logged.
#include <string>

namespace parley::store {

struct PgUrl {
    std::string url;  // as given, password included: never log it
    std::string host;
    std::string port;
    std::string database;
    std::string user;

    // Throws std::invalid_argument with a message that does not contain the password.
    static PgUrl parse(const std::string& url);
    // postgresql://user@host:port/database, without the password.
    std::string redacted() const;
    // "host:port", for error messages.
    std::string where() const { return host + ":" + port; }
};

}  // namespace parley::store
