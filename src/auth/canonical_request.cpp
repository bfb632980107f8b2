#include "auth/canonical_request.hpp"

#include <algorithm>

#include "auth/sigv4_crypto.hpp"

namespace parley::auth {

namespace {

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

template <typename Fn>
void for_each_piece(std::string_view s, char sep, Fn&& fn) {
    std::size_t start = 0;
    while (true) {
        std::size_t end = s.find(sep, start);
        fn(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
}

std::string normalized_or_root(std::string_view raw_path) {
    return raw_path.empty() ? std::string("/") : remove_dot_segments(raw_path);
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 0x0f];
        }
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

TargetParts split_target(std::string_view target) {
    // Absolute-form (RFC 9112 3.2.2): drop scheme and authority.
    for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
        if (starts_with_icase(target, scheme)) {
            std::size_t p = target.find_first_of("/?#", scheme.size());
            target = p == std::string_view::npos ? std::string_view() : target.substr(p);
            break;
        }
    }
    if (std::size_t hash = target.find('#'); hash != std::string_view::npos)
        target = target.substr(0, hash);
    std::size_t q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::string remove_dot_segments(std::string_view path) {
    if (path.empty()) return {};
    std::vector<std::string_view> kept;
    for_each_piece(path, '/', [&](std::string_view seg) {
        if (seg.empty() || seg == ".") return;
        if (seg == "..") {
            if (!kept.empty()) kept.pop_back();
            return;
        }
        kept.push_back(seg);
    });
    std::string out = path.front() == '/' ? "/" : "";
    for (std::size_t i = 0; i < kept.size(); ++i) {
        if (i) out += '/';
        out += kept[i];
    }
    if (path.back() == '/' && !kept.empty()) out += '/';
    return out;
}

std::string canonical_uri(std::string_view raw_path) {
    return uri_encode(normalized_or_root(raw_path), true);
}

std::string canonical_uri_reencoded(std::string_view raw_path) {
    std::string normalized = normalized_or_root(raw_path);
    std::string once;
    bool first = true;
    for_each_piece(normalized, '/', [&](std::string_view seg) {
        if (!first) once += '/';
        first = false;
        once += uri_encode(percent_decode(seg), false);
    });
    return uri_encode(once, true);
}

std::string canonical_query(std::string_view raw_query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for_each_piece(raw_query, '&', [&](std::string_view piece) {
        if (piece.empty()) return;
        std::size_t eq = piece.find('=');
        std::string_view key = piece.substr(0, eq);
        std::string_view value =
            eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
        pairs.emplace_back(uri_encode(percent_decode(key), false),
                           uri_encode(percent_decode(value), false));
    });
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [k, v] : pairs) {
        if (!out.empty()) out += '&';
        out += k;
        out += '=';
        out += v;
    }
    return out;
}

std::string canonical_header_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::string canonical_headers(const HeaderList& headers, std::string_view signed_headers) {
    std::string out;
    for_each_piece(signed_headers, ';', [&](std::string_view name) {
        out += name;
        out += ':';
        bool first = true;
        for (const auto& [n, v] : headers) {
            if (!iequals(n, name)) continue;
            if (!first) out += ',';
            first = false;
            out += canonical_header_value(v);
        }
        out += '\n';
    });
    return out;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash) {
    std::string out;
    out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
                canonical_headers.size() + signed_headers.size() + payload_hash.size() + 5);
    out.append(method).append("\n");
    out.append(canonical_uri).append("\n");
    out.append(canonical_query).append("\n");
    out.append(canonical_headers).append("\n");
    out.append(signed_headers).append("\n");
    out.append(payload_hash);
    return out;
}

std::string canonical_request(std::string_view method, std::string_view target,
                              const HeaderList& headers, std::string_view signed_headers,
                              std::string_view payload_hash) {
    TargetParts parts = split_target(target);
    return canonical_request(method, canonical_uri(parts.path), canonical_query(parts.query),
                             canonical_headers(headers, signed_headers), signed_headers,
                             payload_hash);
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
    std::string out(date);
    out.append("/").append(region).append("/").append(service).append("/");
    out.append(kScopeTerminator);
    return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view credential_scope,
                           std::string_view canonical_request) {
    std::string out(kAlgorithm);
    out.append("\n").append(amz_date).append("\n").append(credential_scope).append("\n");
    out.append(sha256_hex(canonical_request));
    return out;
}

std::string signed_headers_of(const HeaderList& headers) {
    std::vector<std::string> names;
    names.reserve(headers.size());
    for (const auto& [n, v] : headers) {
        std::string lower(n);
        std::transform(lower.begin(), lower.end(), lower.begin(), to_lower);
        names.push_back(std::move(lower));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ';';
        out += n;
    }
    return out;
}

}  // namespace parley::auth
