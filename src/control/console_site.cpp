#include "control/console_site.hpp"

#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

namespace parley::control {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "/console";

// Vite names every file under assets/ after a hash of its content: a changed file gets a new
// name, so those may be cached for good. index.html (which names them) must be revalidated.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

// The pages load only their own scripts and styles and talk only to this origin (the API) and
// to the chat door (a WebSocket on another port, so any ws:/wss: origin).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'";

int console_hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> console_percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        int hi = console_hex_digit(in[i + 1]), lo = console_hex_digit(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

// A relative path that names a file inside the root and nothing else: no empty, "." or ".."
// segment (also not once decoded), no hidden file, no backslash or NUL.
bool safe_relative_path(std::string_view rel) {
    if (rel.empty()) return false;
    std::size_t start = 0;
    while (start <= rel.size()) {
        auto slash = rel.find('/', start);
        auto seg = rel.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (seg.empty() || seg.front() == '.') return false;
        for (char c : seg)
            if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

std::optional<std::string> read_whole_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(buf).str();
}

ApiResponse plain(unsigned status, std::string body) {
    ApiResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

}  // namespace

std::string_view console_content_type(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".webmanifest", "application/manifest+json"},
    }};
    for (const auto& [ext, type] : kTypes)
        if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return type;
    return "application/octet-stream";
}

ConsoleSite::ConsoleSite(fs::path root, std::function<std::string()> config_json)
    : root_(std::move(root)), config_json_(std::move(config_json)) {}

bool ConsoleSite::handles(std::string_view path) {
    return path == kPrefix ||
           (path.size() > kPrefix.size() && path.substr(0, kPrefix.size()) == kPrefix &&
            path[kPrefix.size()] == '/');
}

bool ConsoleSite::available() const {
    std::error_code ec;
    return fs::is_regular_file(root_ / "index.html", ec);
}

ApiResponse ConsoleSite::file_response(const fs::path& file, std::string_view name) const {
    auto body = read_whole_file(file);
    if (!body) return plain(500, "The console file " + std::string(name) + " cannot be read\n");
    ApiResponse r;
    r.content_type = std::string(console_content_type(name));
    r.body = std::move(*body);
    r.headers.emplace_back("Cache-Control",
                           std::string(name.rfind("assets/", 0) == 0 ? kImmutable : kRevalidate));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (r.content_type.rfind("text/html", 0) == 0) {
        r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
        r.headers.emplace_back("Referrer-Policy", "no-referrer");
        r.headers.emplace_back("X-Frame-Options", "DENY");
    }
    return r;
}

ApiResponse ConsoleSite::serve(std::string_view path) const {
    if (path == kPrefix) {
        ApiResponse r = plain(301, "Moved to /console/\n");
        r.headers.emplace_back("Location", "/console/");
        return r;
    }
    std::string_view encoded = path.substr(kPrefix.size() + 1);
    if (encoded == "config.json" && config_json_) {
        ApiResponse r;
        r.body = config_json_();
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    }
    if (!available())
        return plain(503,
                     "The Parley Console's files are not in " + root_.string() +
                         ".\nBuild them with `make build` (npm ci and npm run build in console/), "
                         "or point --console-dir at a built console, or start parleyd with "
                         "--no-console.\n");
    if (encoded.empty()) return file_response(root_ / "index.html", "index.html");

    auto rel = console_percent_decode(encoded);
    if (!rel || !safe_relative_path(*rel)) return plain(404, "Not found\n");
    fs::path file = root_ / fs::path(*rel);
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) {
        // A symbolic link inside the build output must not lead out of it.
        auto real = fs::weakly_canonical(file, ec);
        auto base = fs::weakly_canonical(root_, ec);
        auto [end, unused] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
        if (ec || end != base.end()) return plain(404, "Not found\n");
        return file_response(file, *rel);
    }
    // The console routes in the URL's fragment, but a reload of a deep link without an
    // extension (/console/rooms) still gets the app rather than a 404.
    auto last = rel->substr(rel->rfind('/') + 1);
    if (last.find('.') == std::string::npos)
        return file_response(root_ / "index.html", "index.html");
    return plain(404, "Not found\n");
}

}  // namespace parley::control
