#include "server/master_key.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "token/key_wrap.hpp"

namespace parley::server {

token::KeyBytes load_master_key(const std::string& file) {
    if (const char* env = std::getenv("PARLEY_MASTER_KEY"); env != nullptr && *env != '\0') {
        auto key = token::parse_hex_key(env);
        if (!key) throw std::runtime_error("PARLEY_MASTER_KEY must be 64 hex characters");
        return *key;
    }
    if (file.empty()) {
        throw std::runtime_error(
            "a PostgreSQL store needs the cluster's master key: set PARLEY_MASTER_KEY to 64 hex "
            "characters (e.g. from `openssl rand -hex 32`) or pass --master-key-file FILE; "
            "every node needs the same key");
    }
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read --master-key-file " + file);
    std::stringstream text;
    text << in.rdbuf();
    auto key = token::parse_hex_key(text.str());
    if (!key) {
        throw std::runtime_error("--master-key-file " + file +
                                 " must hold 64 hex characters (e.g. `openssl rand -hex 32`)");
    }
    return *key;
}

}  // namespace parley::server
