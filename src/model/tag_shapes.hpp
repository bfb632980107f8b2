#pragma once
// Tag operations. Their resourceArn travels in the URL path (/tags/{resourceArn}) and
// UntagResource's tagKeys in the query, so besides from_value (one tree holding every member)
// each request has from_parts, which takes the pieces as the control plane finds them.
// to_value() writes every member under its model name; the HTTP binding is the caller's.
#include <string>
#include <vector>

#include "model/resources.hpp"
#include "model/value.hpp"

namespace parley::model {

struct ListTagsForResourceRequest {
    std::string resource_arn{};  // room or logging-configuration ARN, 1-128

    Value to_value() const;
    static ListTagsForResourceRequest from_value(const Value& v);
    static ListTagsForResourceRequest from_parts(std::string resource_arn);
};

struct ListTagsForResourceResponse {
    Tags tags{};

    Value to_value() const;  // {"tags":{...}}, {} when there are none
};

struct TagResourceRequest {
    std::string resource_arn{};
    Tags tags{};  // required, 1-50 entries

    Value to_value() const;
    static TagResourceRequest from_value(const Value& v);
    // `body` is the parsed JSON body, or nullptr when the request had none.
    static TagResourceRequest from_parts(std::string resource_arn, const Value* body);
};

struct TagResourceResponse {
    Value to_value() const;  // {}
};

struct UntagResourceRequest {
    std::string resource_arn{};
    std::vector<std::string> tag_keys{};  // required, 1-50 keys of 1-128

    Value to_value() const;
    static UntagResourceRequest from_value(const Value& v);
    // `tag_keys` are the repeated ?tagKeys= query values; none at all reads as missing.
    static UntagResourceRequest from_parts(std::string resource_arn,
                                           std::vector<std::string> tag_keys);
};

struct UntagResourceResponse {
    Value to_value() const;  // {}
};

}  // namespace parley::model
