#include "store/pg_url.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace parley::store {

PgUrl PgUrl::parse(const std::string& url) {
    if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
        throw std::invalid_argument(
            "a PostgreSQL store URL starts with postgresql:// "
            "(postgresql://user[:password]@host[:port]/database)");
    }
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        // libpq quotes the offending part, which may be the password (a bad %-escape in it):
        // keep the reason, drop what it quotes.
        std::string raw = error ? error : "out of memory";
        PQfreemem(error);
        std::string why;
        bool quoted = false;
        for (char c : raw) {
            if (c == '"') {
                why += quoted ? "\"" : "\"…";
                quoted = !quoted;
            } else if (!quoted && c != '\n') {
                why += c;
            }
        }
        throw std::invalid_argument("not a valid PostgreSQL URL: " + why);
    }
    PgUrl parsed;
    parsed.url = url;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        std::string key = o->keyword;
        if (key == "host" || key == "hostaddr") {
            if (parsed.host.empty()) parsed.host = o->val;
        } else if (key == "port") {
            parsed.port = o->val;
        } else if (key == "dbname") {
            parsed.database = o->val;
        } else if (key == "user") {
            parsed.user = o->val;
        }
    }
    PQconninfoFree(options);
    if (parsed.host.empty()) parsed.host = "localhost";
    if (parsed.port.empty()) parsed.port = "5432";
    if (parsed.database.empty()) parsed.database = parsed.user;
    return parsed;
}

std::string PgUrl::redacted() const {
    return "postgresql://" + (user.empty() ? "" : user + "@") + host + ":" + port + "/" + database;
}

}  // namespace parley::store
