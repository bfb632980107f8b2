#include "auth/authorization_header.hpp"

#include <array>

#include "model/api_error.hpp"

namespace parley::auth {

namespace {

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

model::ApiError incomplete(std::string message) {
    return model::ApiError("IncompleteSignatureException", 403, std::move(message));
}

}  // namespace

AuthorizationHeader parse_authorization(std::string_view value) {
    AuthorizationHeader out;
    value = trim(value);
    std::size_t sp = value.find_first_of(" \t");
    out.algorithm = value.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view() : value.substr(sp);
    // Another scheme (Bearer, Basic) carries no SigV4 parameters at all.
    if (!out.algorithm.starts_with("AWS4-")) rest = {};
    while (!rest.empty()) {
        std::size_t comma = rest.find(',');
        std::string_view pair = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (pair.empty()) continue;
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos)
            throw incomplete("Invalid key=value pair (missing equal-sign) in Authorization header");
        std::string_view key = trim(pair.substr(0, eq));
        std::string_view val = trim(pair.substr(eq + 1));
        std::optional<std::string_view>* slot = nullptr;
        if (key == "Credential") slot = &out.credential;
        if (key == "SignedHeaders") slot = &out.signed_headers;
        if (key == "Signature") slot = &out.signature;
        if (slot == nullptr) continue;  // unknown parameters are ignored, as AWS does
        if (slot->has_value())
            throw incomplete("Authorization header has a repeated '" + std::string(key) +
                             "' parameter.");
        *slot = val;
    }
    return out;
}

std::optional<CredentialScopeParts> parse_credential(std::string_view credential) {
    std::array<std::string_view, 5> parts;
    std::size_t n = 0;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = credential.find('/', start);
        if (n == parts.size()) return std::nullopt;
        parts[n++] = credential.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (n != parts.size()) return std::nullopt;
    return CredentialScopeParts{parts[0], parts[1], parts[2], parts[3], parts[4]};
}

}  // namespace parley::auth
