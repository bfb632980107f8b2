#include "request_signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "model/clock_format.hpp"

namespace parley::load {

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return out;
}

std::string hmac(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
    return hex(out, len);
}

RequestSigner::RequestSigner(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)) {}

const std::string& RequestSigner::signing_key(std::string_view day) {
    if (cached_day_ != day) {
        std::string k = hmac("AWS4" + credentials_.secret_access_key, day);
        k = hmac(k, region_);
        k = hmac(k, service_);
        cached_key_ = hmac(k, "aws4_request");
        cached_day_ = std::string(day);
    }
    return cached_key_;
}

HeaderPairs RequestSigner::sign(std::string_view method, std::string_view path,
                                std::string_view host, std::string_view body,
                                std::int64_t epoch_seconds) {
    const std::string amz_date = model::format_amz_date(epoch_seconds);
    const std::string day = amz_date.substr(0, 8);
    const std::string payload_hash = sha256_hex(body);
    constexpr std::string_view signed_headers = "host;x-amz-content-sha256;x-amz-date";

    std::string creq;
    creq.reserve(256);
    creq.append(method).append("\n").append(path).append("\n\n");
    creq.append("host:").append(host).append("\n");
    creq.append("x-amz-content-sha256:").append(payload_hash).append("\n");
    creq.append("x-amz-date:").append(amz_date).append("\n\n");
    creq.append(signed_headers).append("\n").append(payload_hash);

    const std::string scope = day + "/" + region_ + "/" + service_ + "/aws4_request";
    const std::string to_sign =
        "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(creq);
    const std::string raw = hmac(signing_key(day), to_sign);
    std::string authorization =
        "AWS4-HMAC-SHA256 Credential=" + credentials_.access_key_id + "/" + scope +
        ", SignedHeaders=" + std::string(signed_headers) +
        ", Signature=" + hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    return {{"x-amz-date", amz_date},
            {"x-amz-content-sha256", payload_hash},
            {"authorization", std::move(authorization)}};
}

}  // namespace parley::load
