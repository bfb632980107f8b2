#pragma once
// Where the tool finds the API credentials: an AWS shared-credentials file when
// one is given (parleyd writes DATA/credentials in that format), else
// PARLEY_ACCESS_KEY_ID / PARLEY_SECRET_ACCESS_KEY, the same variables parleyd
// reads.
#include <optional>
#include <string>

#include "request_signer.hpp"

namespace parley::load {

std::optional<Credentials> load_credentials(const std::string& file, std::string& error);

}  // namespace parley::load
