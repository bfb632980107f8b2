#pragma once
// The API credentials: from the environment, else from <data-dir>/credentials, else generated
// there (mode 0600) on first start.
#include <filesystem>

#include "auth/credential_store.hpp"

namespace parley::server {

struct LoadedCredentials {
    auth::Credentials credentials;
    enum class Source { Environment, File, Generated } source;
};

LoadedCredentials load_or_create_credentials(const std::filesystem::path& data_dir);

}  // namespace parley::server
