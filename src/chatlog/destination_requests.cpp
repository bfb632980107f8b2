#include "chatlog/destination_requests.hpp"

#include <openssl/evp.h>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include "auth/canonical_request.hpp"
#include "auth/sigv4_crypto.hpp"
#include "auth/sigv4_signer.hpp"
#include "model/clock_format.hpp"
#include "model/json_codec.hpp"
#include "model/version.hpp"

namespace parley::chatlog {

namespace http = boost::beast::http;

namespace {
// Signs every header set so far except those a proxy may rewrite (content-length,
// user-agent); the canonical URI is the path as sent (S3 keeps it encoded once).
void sign(HttpRequest& req, const auth::Credentials& creds, std::string_view region,
          std::string_view service, bool s3, std::int64_t epoch_seconds) {
    const std::string amz_date = model::format_amz_date(epoch_seconds);
    const std::string payload_hash = auth::sha256_hex(req.body());
    req.set("x-amz-date", amz_date);
    req.set("x-amz-content-sha256", payload_hash);
    std::vector<std::pair<std::string, std::string>> owned;
    for (const auto& field : req) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == "content-length" || name == "user-agent") continue;
        owned.emplace_back(std::move(name), std::string(field.value()));
    }
    auth::HeaderList headers;
    for (const auto& [n, v] : owned) headers.emplace_back(n, v);
    const std::string signed_headers = auth::signed_headers_of(headers);
    const std::string target(req.target());
    const auto parts = auth::split_target(target);
    const std::string uri = s3 ? std::string(parts.path) : auth::canonical_uri(parts.path);
    const std::string creq = auth::canonical_request(
        req.method_string(), uri, auth::canonical_query(parts.query),
        auth::canonical_headers(headers, signed_headers), signed_headers, payload_hash);
    const std::string_view day = std::string_view(amz_date).substr(0, 8);
    const std::string scope = auth::credential_scope(day, region, service);
    const std::string key = auth::derive_signing_key(creds.secret_access_key, day, region, service);
    req.set(http::field::authorization,
            std::string(auth::kAlgorithm) + " Credential=" + creds.access_key_id + "/" + scope +
                ", SignedHeaders=" + signed_headers + ", Signature=" +
                auth::signature_hex(key, auth::string_to_sign(amz_date, scope, creq)));
}

HttpRequest base_request(const std::string& target, const std::string& host, std::string body) {
    HttpRequest req;
    req.version(11);
    req.target(target);
    req.set(http::field::host, host);
    req.set(http::field::user_agent, std::string("parleyd/") + model::kParleyVersion);
    req.body() = std::move(body);
    return req;
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

std::string md5_base64(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

PreparedRequest s3_put_object(const DeliveryEndpoint& endpoint, const auth::Credentials& creds,
                              std::string_view bucket, std::string_view key, std::string body,
                              std::int64_t epoch_seconds) {
    const auto& e = endpoint.endpoint;
    PreparedRequest out;
    out.target = {e.tls, e.host, e.port};
    std::string host = e.host_header;
    std::string path = e.base_path + "/";
    if (endpoint.addressing == S3Addressing::VirtualHosted) {
        out.target.host = std::string(bucket) + "." + e.host;
        host = std::string(bucket) + "." + e.host_header;
    } else {
        path += auth::uri_encode(bucket, false) + "/";
    }
    path += auth::uri_encode(key, true);
    const std::string md5 = md5_base64(body);
    out.request = base_request(path, host, std::move(body));
    out.request.method(http::verb::put);
    out.request.set(http::field::content_type, "application/x-gzip");
    out.request.set("content-md5", md5);
    sign(out.request, creds, endpoint.region, endpoint.service, true, epoch_seconds);
    return out;
}

PreparedRequest aws_json_request(const DeliveryEndpoint& endpoint, const auth::Credentials& creds,
                                 std::string_view operation, std::string body,
                                 std::int64_t epoch_seconds) {
    const auto& e = endpoint.endpoint;
    PreparedRequest out;
    out.target = {e.tls, e.host, e.port};
    out.request = base_request(e.base_path + "/", e.host_header, std::move(body));
    out.request.method(http::verb::post);
    out.request.set(http::field::content_type, "application/x-amz-json-1.1");
    out.request.set("x-amz-target", operation);
    sign(out.request, creds, endpoint.region, endpoint.service, false, epoch_seconds);
    return out;
}

std::string put_log_events_body(std::string_view group, std::string_view stream,
                                const std::vector<LogEvent>& events) {
    std::string out = "{\"logGroupName\":";
    model::append_json_string(out, group);
    out += ",\"logStreamName\":";
    model::append_json_string(out, stream);
    out += ",\"logEvents\":[";
    bool first = true;
    for (const auto& e : events) {
        if (!first) out += ',';
        first = false;
        out += "{\"timestamp\":" + std::to_string(e.timestamp_ms) + ",\"message\":";
        model::append_json_string(out, e.message);
        out += '}';
    }
    out += "]}";
    return out;
}

std::string create_log_stream_body(std::string_view group, std::string_view stream) {
    std::string out = "{\"logGroupName\":";
    model::append_json_string(out, group);
    out += ",\"logStreamName\":";
    model::append_json_string(out, stream);
    out += '}';
    return out;
}

std::string put_record_batch_body(std::string_view delivery_stream,
                                  const std::vector<std::string_view>& records) {
    std::string out = "{\"DeliveryStreamName\":";
    model::append_json_string(out, delivery_stream);
    out += ",\"Records\":[";
    bool first = true;
    for (auto r : records) {
        if (!first) out += ',';
        first = false;
        out += "{\"Data\":\"" + base64_encode(r) + "\"}";
    }
    out += "]}";
    return out;
}

std::string aws_error_code(std::string_view body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return {};
    const auto* type = v.as_object().if_contains("__type");
    if (!type || !type->is_string()) return {};
    std::string code(type->as_string());
    if (auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
    return code;
}

std::optional<std::vector<std::size_t>> failed_record_indexes(std::string_view body,
                                                              std::size_t sent) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    const auto* responses = o.if_contains("RequestResponses");
    if (!responses || !responses->is_array() || responses->as_array().size() != sent)
        return std::nullopt;
    std::vector<std::size_t> failed;
    const auto& arr = responses->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
        if (!arr[i].is_object()) return std::nullopt;
        const auto* code = arr[i].as_object().if_contains("ErrorCode");
        if (code && !code->is_null()) failed.push_back(i);
    }
    return failed;
}

}  // namespace parley::chatlog
