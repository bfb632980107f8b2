#pragma once
// The Parley Console's static files (built by Vite into a directory beside parleyd), served on
// the control door under /console/ without authentication: the pages hold no secrets, and every
// call they make to the API is SigV4-signed in the browser with the operator's own keys.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "control/api_router.hpp"

namespace parley::control {

class ConsoleSite {
  public:
    // `config_json` renders /console/config.json (chat URL, version, store, bus, uptime).
    ConsoleSite(std::filesystem::path root, std::function<std::string()> config_json);

    // True for "/console" and everything under "/console/".
    static bool handles(std::string_view path);
    // `path` is the request path with dot segments already removed (still percent-encoded).
    ApiResponse serve(std::string_view path) const;

    const std::filesystem::path& root() const { return root_; }
    // Whether the built files are there (index.html exists).
    bool available() const;

  private:
    ApiResponse file_response(const std::filesystem::path& file, std::string_view name) const;
    std::filesystem::path root_;
    std::function<std::string()> config_json_;
};

// The MIME type served for a file name (by its extension); application/octet-stream if unknown.
std::string_view console_content_type(std::string_view file_name);

}  // namespace parley::control
