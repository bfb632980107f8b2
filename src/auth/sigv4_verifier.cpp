#include "auth/sigv4_verifier.hpp"

#include <algorithm>
#include <optional>

#include "auth/authorization_header.hpp"
#include "auth/sigv4_crypto.hpp"
#include "model/api_error.hpp"
#include "model/clock_format.hpp"

namespace parley::auth {

namespace {

using model::ApiError;

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

ApiError incomplete(std::string message) {
    return ApiError("IncompleteSignatureException", 403, std::move(message));
}
ApiError invalid_signature(std::string message) {
    return ApiError("InvalidSignatureException", 403, std::move(message));
}
ApiError unrecognized_client() {
    return ApiError("UnrecognizedClientException", 403, std::string(kInvalidToken));
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower(x) == to_lower(y);
           });
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), to_lower);
    return out;
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// First value of a header, and how often the name occurs.
struct HeaderLookup {
    std::optional<std::string_view> value;
    int count = 0;
};
HeaderLookup find_header(const HeaderList& headers, std::string_view name) {
    HeaderLookup out;
    for (const auto& [n, v] : headers) {
        if (!iequals(n, name)) continue;
        if (!out.value) out.value = trim(v);
        ++out.count;
    }
    return out;
}

bool lists_header(std::string_view signed_headers, std::string_view name) {
    std::size_t start = 0;
    while (start <= signed_headers.size()) {
        std::size_t end = signed_headers.find(';', start);
        if (end == std::string_view::npos) end = signed_headers.size();
        if (iequals(signed_headers.substr(start, end - start), name)) return true;
        start = end + 1;
    }
    return false;
}

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The request time and its yyyymmddTHHMMSSZ form, which is what the client signed.
struct RequestTime {
    std::int64_t epoch = 0;
    std::string amz_date;
};

std::optional<RequestTime> parse_x_amz_date(std::string_view v) {
    if (v.size() != 16 || !all_digits(v.substr(0, 8)) || !all_digits(v.substr(9, 6)))
        return std::nullopt;
    auto t = model::parse_amz_date(v);
    // Reject dates that only parse by normalisation (Feb 30, 25:00 ...).
    if (!t || model::format_amz_date(*t) != v) return std::nullopt;
    return RequestTime{*t, std::string(v)};
}

// botocore writes the Date header with email.utils.formatdate: "Mon, 06 May 2024 07:08:09
// -0000"; RFC 1123 proper ends in "GMT". Both mean UTC.
std::optional<RequestTime> parse_date_header(std::string_view v) {
    std::string text(v);
    for (std::string_view utc : {" -0000", " +0000", " UTC"}) {
        if (text.size() > utc.size() && text.ends_with(utc)) {
            text.resize(text.size() - utc.size());
            text += " GMT";
            break;
        }
    }
    if (!text.ends_with(" GMT")) return std::nullopt;
    auto t = model::parse_http_date(text);
    if (!t) return std::nullopt;
    return RequestTime{*t, model::format_amz_date(*t)};
}

std::string skew_message(const RequestTime& t, std::int64_t now, std::int64_t skew) {
    std::string minutes = std::to_string(skew / 60) + " min.";
    if (t.epoch < now)
        return "Signature expired: " + t.amz_date + " is now earlier than " +
               model::format_amz_date(now - skew) + " (" + model::format_amz_date(now) + " - " +
               minutes + ")";
    return "Signature not yet current: " + t.amz_date + " is still later than " +
           model::format_amz_date(now + skew) + " (" + model::format_amz_date(now) + " + " +
           minutes + ")";
}

}  // namespace

SigV4Verifier::SigV4Verifier(const CredentialStore& creds, std::string service,
                             std::chrono::seconds max_skew)
    : creds_(creds), service_(std::move(service)), max_skew_(max_skew) {}

VerifiedCaller SigV4Verifier::verify(const HttpRequestView& req,
                                     std::int64_t now_epoch_seconds) const {
    // 1. The Authorization header and its three parameters.
    HeaderLookup authz = find_header(req.headers, "authorization");
    if (!authz.value || authz.value->empty())
        throw ApiError("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
    if (authz.count > 1) throw incomplete("Request has more than one Authorization header.");
    const std::string_view authz_value = *authz.value;
    AuthorizationHeader parsed = parse_authorization(authz_value);

    HeaderLookup x_amz_date = find_header(req.headers, "x-amz-date");
    HeaderLookup date = find_header(req.headers, "date");
    std::string missing;
    if (!parsed.credential) missing += "Authorization header requires 'Credential' parameter. ";
    if (!parsed.signature) missing += "Authorization header requires 'Signature' parameter. ";
    if (!parsed.signed_headers)
        missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (!x_amz_date.value && !date.value)
        missing +=
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. ";
    if (!missing.empty()) throw incomplete(missing + "Authorization=" + std::string(authz_value));
    if (parsed.algorithm != kAlgorithm)
        throw incomplete("Unsupported Authorization algorithm '" + std::string(parsed.algorithm) +
                         "': only '" + std::string(kAlgorithm) + "' is accepted.");

    // 2. The request time: X-Amz-Date preferred, else Date.
    std::optional<RequestTime> when;
    if (x_amz_date.value) {
        when = parse_x_amz_date(*x_amz_date.value);
        if (!when)
            throw incomplete(
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    } else {
        when = parse_date_header(*date.value);
        if (!when) throw incomplete("Date header must be in RFC 1123 format (HTTP-date).");
    }

    // 3. The credential scope: any region, our service, the request's date.
    std::optional<CredentialScopeParts> scope = parse_credential(*parsed.credential);
    if (!scope)
        throw incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got '" +
            std::string(*parsed.credential) + "'");
    if (scope->terminator != kScopeTerminator)
        throw incomplete(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
            std::string(scope->terminator) + "'. ");
    if (scope->service != service_)
        throw incomplete("Credential should be scoped to correct service: '" + service_ + "'. ");
    if (scope->region.empty())
        throw incomplete("Credential should be scoped to a valid region, not ''. ");
    std::string_view request_day = std::string_view(when->amz_date).substr(0, 8);
    if (scope->date != request_day)
        throw incomplete(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '" +
            std::string(scope->date) + "' != '" + std::string(request_day) + "', from '" +
            when->amz_date + "'.");

    // 4. What must be signed.
    const std::string_view signed_headers = *parsed.signed_headers;
    if (!lists_header(signed_headers, "host"))
        throw incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    HeaderLookup token = find_header(req.headers, "x-amz-security-token");
    if (token.value && !lists_header(signed_headers, "x-amz-security-token"))
        throw incomplete("'X-Amz-Security-Token' must be a 'SignedHeader' when it is present.");

    // 5. Freshness, then the caller's key (session tokens are not issued by Parley).
    const std::int64_t skew = max_skew_.count();
    if (when->epoch < now_epoch_seconds - skew || when->epoch > now_epoch_seconds + skew)
        throw invalid_signature(skew_message(*when, now_epoch_seconds, skew));
    if (token.value) throw unrecognized_client();
    std::optional<std::string> secret = creds_.secret_for(scope->access_key_id);
    if (!secret) throw unrecognized_client();

    // 6. The payload hash: x-amz-content-sha256 (JS SDK) must match the body; botocore sends
    // none and the body's hash is signed directly. UNSIGNED-PAYLOAD is refused: every
    // control-plane body must be covered by the signature.
    std::string body_hash = sha256_hex(req.body);
    std::string payload_hash = body_hash;
    if (HeaderLookup declared = find_header(req.headers, "x-amz-content-sha256"); declared.value) {
        if (lower(*declared.value) != body_hash)
            throw invalid_signature(
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
        payload_hash = std::string(*declared.value);
    }

    // 7. The signature. The path is tried as SDKs sign it and, if that differs, as a signer
    // that re-encoded the decoded path would; both name the same resource.
    const std::string provided = lower(*parsed.signature);
    const std::string signing_key =
        derive_signing_key(*secret, scope->date, scope->region, scope->service);
    const std::string scope_text = credential_scope(scope->date, scope->region, scope->service);
    TargetParts target = split_target(req.target);
    const std::string query = canonical_query(target.query);
    const std::string headers = canonical_headers(req.headers, signed_headers);
    const std::string uri = canonical_uri(target.path);
    const std::string reencoded = canonical_uri_reencoded(target.path);
    bool matched = false;
    for (const std::string* candidate : {&uri, &reencoded}) {
        if (candidate == &reencoded && reencoded == uri) break;
        std::string creq =
            canonical_request(req.method, *candidate, query, headers, signed_headers, payload_hash);
        std::string expected =
            signature_hex(signing_key, string_to_sign(when->amz_date, scope_text, creq));
        matched = constant_time_equals(expected, provided) || matched;
    }
    if (!matched) throw invalid_signature(std::string(kSignatureMismatch));
    return VerifiedCaller{std::string(scope->access_key_id)};
}

}  // namespace parley::auth
