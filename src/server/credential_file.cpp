#include "server/credential_file.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace parley::server {

namespace {
std::string random_chars(std::size_t n, std::string_view alphabet) {
    std::string out;
    unsigned char b[64];
    while (out.size() < n) {
        if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
        for (unsigned char c : b) {
            // Rejection sampling keeps the distribution uniform.
            if (c >= 256 - 256 % alphabet.size()) continue;
            out += alphabet[c % alphabet.size()];
            if (out.size() == n) break;
        }
    }
    return out;
}
}  // namespace

LoadedCredentials load_or_create_credentials(const std::filesystem::path& data_dir) {
    const char* env_id = std::getenv("PARLEY_ACCESS_KEY_ID");
    const char* env_secret = std::getenv("PARLEY_SECRET_ACCESS_KEY");
    if (env_id && env_secret && *env_id && *env_secret)
        return {{env_id, env_secret}, LoadedCredentials::Source::Environment};
    if ((env_id && *env_id) != (env_secret && *env_secret))
        throw std::runtime_error(
            "set both PARLEY_ACCESS_KEY_ID and PARLEY_SECRET_ACCESS_KEY, or neither");

    auto path = data_dir / "credentials";
    if (std::filesystem::exists(path)) {
        std::ifstream in(path);
        LoadedCredentials out{{}, LoadedCredentials::Source::File};
        std::string line;
        while (std::getline(in, line)) {
            auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            auto key = line.substr(0, eq), value = line.substr(eq + 1);
            if (key == "aws_access_key_id") out.credentials.access_key_id = value;
            if (key == "aws_secret_access_key") out.credentials.secret_access_key = value;
        }
        if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty())
            throw std::runtime_error(path.string() +
                                     " lacks aws_access_key_id / aws_secret_access_key lines");
        return out;
    }

    LoadedCredentials out{
        {"PK" + random_chars(18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
         random_chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")},
        LoadedCredentials::Source::Generated};
    auto tmp = path;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string());
    std::string text = "[default]\naws_access_key_id=" + out.credentials.access_key_id +
                       "\naws_secret_access_key=" + out.credentials.secret_access_key + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + tmp.string());
    std::filesystem::rename(tmp, path);
    return out;
}

}  // namespace parley::server
