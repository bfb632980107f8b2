#pragma once
// The cluster's master key (wraps the token keys kept in PostgreSQL): PARLEY_MASTER_KEY (64 hex
// characters) or the file named by --master-key-file. It never enters the database.
#include <string>

#include "token/key_ring.hpp"

namespace parley::server {

// Throws std::runtime_error saying what to set when neither gives a valid key.
token::KeyBytes load_master_key(const std::string& file);

}  // namespace parley::server
