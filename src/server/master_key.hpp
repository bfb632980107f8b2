#pragma once
// The cluster's master key (wraps the token keys kept in PostgreSQL): PARLEY_MASTER_KEY (64 hex
// characters) or the file named by --master-key-file. It never enters the database.
#include <string>
#include <string_view>

#include "token/key_ring.hpp"

namespace parley::server {

// Throws std::runtime_error saying what to set when neither gives a valid key.
token::KeyBytes load_master_key(const std::string& file);

// A key for one purpose (HMAC-SHA256 of the purpose under the master key): the same on every
// node, and unrelated to the master key and to other purposes' keys.
std::string derive_key(const token::KeyBytes& master, std::string_view purpose);

}  // namespace parley::server
