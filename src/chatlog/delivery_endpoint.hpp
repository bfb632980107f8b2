#pragma once
// Where the uploaders send each destination type, from --s3-endpoint, --logs-endpoint and
// --firehose-endpoint: a URL, or "aws" for the service's own regional endpoint
// (https://s3.<region>.amazonaws.com, https://logs.<region>.amazonaws.com,
// https://firehose.<region>.amazonaws.com).
#include <optional>
#include <string>
#include <string_view>

#include "chatlog/log_destination.hpp"
#include "net/http_endpoint.hpp"

namespace parley::chatlog {

enum class S3Addressing { Path, VirtualHosted };

struct DeliveryEndpoint {
    DestinationType type = DestinationType::S3;
    net::HttpEndpoint endpoint;
    std::string region;   // the SigV4 signing region
    std::string service;  // the SigV4 service: s3, logs, firehose
    S3Addressing addressing = S3Addressing::Path;
    std::string description;  // for logs: the URL as configured
};

// setting: "aws" or an http(s) URL. region: --chatlog-region, or "" to take it from an
// amazonaws.com host name, else `fallback_region` (--region). addressing: "auto" (virtual-hosted
// for aws, path-style for a URL), "path" or "virtual". http:// is refused unless the host is
// loopback (test servers): records would otherwise cross the network readable and alterable.
std::optional<DeliveryEndpoint> resolve_delivery_endpoint(
    DestinationType type, std::string_view setting, std::string_view region,
    std::string_view fallback_region, std::string_view addressing, std::string& error);

// "us-west-2" from "logs.us-west-2.amazonaws.com", "" when the host is not such a name.
std::string region_of_aws_host(std::string_view host);

}  // namespace parley::chatlog
