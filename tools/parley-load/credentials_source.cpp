#include "credentials_source.hpp"

#include <cstdlib>
#include <fstream>

namespace parley::load {

namespace {
std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}
}  // namespace

std::optional<Credentials> load_credentials(const std::string& file, std::string& error) {
    if (file.empty()) {
        const char* id = std::getenv("PARLEY_ACCESS_KEY_ID");
        const char* secret = std::getenv("PARLEY_SECRET_ACCESS_KEY");
        if (id && secret && *id && *secret) return Credentials{id, secret};
        error =
            "no credentials: set PARLEY_ACCESS_KEY_ID / "
            "PARLEY_SECRET_ACCESS_KEY or pass "
            "--credentials-file DATA/credentials";
        return std::nullopt;
    }
    std::ifstream in(file);
    if (!in) {
        error = "cannot read " + file;
        return std::nullopt;
    }
    Credentials c;
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        auto key = trim(line.substr(0, eq));
        auto value = trim(line.substr(eq + 1));
        // The first profile wins: parleyd writes a single [default] section.
        if (key == "aws_access_key_id" && c.access_key_id.empty()) c.access_key_id = value;
        if (key == "aws_secret_access_key" && c.secret_access_key.empty())
            c.secret_access_key = value;
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
        error = file + " lacks aws_access_key_id / aws_secret_access_key";
        return std::nullopt;
    }
    return c;
}

}  // namespace parley::load
