#include "auth/sigv4_signer.hpp"

#include "auth/sigv4_crypto.hpp"
#include "model/clock_format.hpp"

namespace parley::auth {

std::string authorization_header(const Credentials& c, std::string_view region,
                                 std::string_view service, std::string_view method,
                                 std::string_view target, const HeaderList& headers,
                                 std::string_view payload_hash, std::int64_t epoch_seconds) {
    const std::string amz_date = model::format_amz_date(epoch_seconds);
    const std::string_view day = std::string_view(amz_date).substr(0, 8);
    const std::string signed_headers = signed_headers_of(headers);
    const std::string scope = credential_scope(day, region, service);
    const std::string creq =
        canonical_request(method, target, headers, signed_headers, payload_hash);
    const std::string key = derive_signing_key(c.secret_access_key, day, region, service);
    std::string out(kAlgorithm);
    out += " Credential=" + c.access_key_id + "/" + scope;
    out += ", SignedHeaders=" + signed_headers;
    out += ", Signature=" + signature_hex(key, string_to_sign(amz_date, scope, creq));
    return out;
}

std::vector<std::pair<std::string, std::string>> sign_headers(
    const Credentials& c, std::string_view region, std::string_view service,
    std::string_view method, std::string_view target, std::string_view host, std::string_view body,
    std::int64_t epoch_seconds) {
    const std::string amz_date = model::format_amz_date(epoch_seconds);
    const std::string payload_hash = sha256_hex(body);
    const HeaderList signed_set = {
        {"host", host}, {"x-amz-content-sha256", payload_hash}, {"x-amz-date", amz_date}};
    return {{"x-amz-date", amz_date},
            {"x-amz-content-sha256", payload_hash},
            {"authorization", authorization_header(c, region, service, method, target, signed_set,
                                                   payload_hash, epoch_seconds)}};
}

}  // namespace parley::auth
