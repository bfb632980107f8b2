#include "server/master_key.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

std::string derive_key(const token::KeyBytes& master, std::string_view purpose) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), master.data(), static_cast<int>(master.size()),
             reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(), out,
             &len) == nullptr) {
        throw std::runtime_error("deriving a key from the master key failed");
    }
    return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace parley::server
