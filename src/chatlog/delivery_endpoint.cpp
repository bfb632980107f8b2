#include "chatlog/delivery_endpoint.hpp"

namespace parley::chatlog {

namespace {
std::string_view service_of(DestinationType type) {
    switch (type) {
        case DestinationType::S3:
            return "s3";
        case DestinationType::CloudWatchLogs:
            return "logs";
        case DestinationType::Firehose:
            return "firehose";
    }
    return "s3";
}
}  // namespace

std::string region_of_aws_host(std::string_view host) {
    constexpr std::string_view kSuffix = ".amazonaws.com";
    if (!host.ends_with(kSuffix)) return {};
    host.remove_suffix(kSuffix.size());
    auto dot = host.rfind('.');
    if (dot == std::string_view::npos) return {};
    auto region = host.substr(dot + 1);
    // "s3.amazonaws.com" (global) has no region part; regions look like us-east-1.
    if (region.find('-') == std::string_view::npos) return {};
    return std::string(region);
}

std::optional<DeliveryEndpoint> resolve_delivery_endpoint(
    DestinationType type, std::string_view setting, std::string_view region,
    std::string_view fallback_region, std::string_view addressing, std::string& error) {
    DeliveryEndpoint out;
    out.type = type;
    out.service = std::string(service_of(type));
    const bool aws = setting == "aws";
    std::string url = std::string(setting);
    if (aws) {
        std::string r(region.empty() ? fallback_region : region);
        url = "https://" + out.service + "." + r + ".amazonaws.com";
    }
    auto endpoint = net::parse_http_endpoint(url, error);
    if (!endpoint) return std::nullopt;
    if (!endpoint->tls && !net::is_loopback_host(endpoint->host)) {
        error =
            "http:// is only allowed for a loopback host (127.0.0.1, ::1, localhost); use https://";
        return std::nullopt;
    }
    out.endpoint = std::move(*endpoint);
    out.description = url;
    if (!region.empty())
        out.region = std::string(region);
    else if (auto r = region_of_aws_host(out.endpoint.host); !r.empty())
        out.region = r;
    else
        out.region = std::string(fallback_region);
    if (addressing == "path")
        out.addressing = S3Addressing::Path;
    else if (addressing == "virtual")
        out.addressing = S3Addressing::VirtualHosted;
    else if (addressing == "auto" || addressing.empty())
        out.addressing = aws ? S3Addressing::VirtualHosted : S3Addressing::Path;
    else {
        error = "S3 addressing must be auto, path or virtual";
        return std::nullopt;
    }
    return out;
}

}  // namespace parley::chatlog
