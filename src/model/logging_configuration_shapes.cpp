#include "model/logging_configuration_shapes.hpp"

#include <algorithm>
#include <array>

#include "model/field_rules.hpp"
#include "model/resource_codec.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

namespace {
constexpr std::string_view kDestination = "destinationConfiguration";
constexpr std::array<std::string_view, 3> kDestinationMembers = {"s3", "cloudWatchLogs",
                                                                 "firehose"};

constexpr StringRule kBucketNameRule{.required = true,
                                     .min_length = 3,
                                     .max_length = 63,
                                     .pattern = is_bucket_name,
                                     .pattern_text = "[a-z0-9-.]+"};
constexpr StringRule kLogGroupNameRule{.required = true,
                                       .min_length = 1,
                                       .max_length = 512,
                                       .pattern = is_log_group_name,
                                       .pattern_text = "[\\.\\-_/#A-Za-z0-9]+"};
constexpr StringRule kDeliveryStreamNameRule{.required = true,
                                             .min_length = 1,
                                             .max_length = 64,
                                             .pattern = is_delivery_stream_name,
                                             .pattern_text = "[a-zA-Z0-9_.-]+"};

void adopt_errors(ShapeReader& into, ShapeReader& from) {
    for (auto& e : from.errors()) into.errors().push_back(std::move(e));
    from.errors().clear();
}

// The one destination the chosen member describes, read with its own path prefix
// ("destinationConfiguration.s3.bucketName").
std::optional<DestinationConfiguration> read_destination_member(ShapeReader& r,
                                                                const Value& union_value,
                                                                std::string_view member) {
    ShapeReader outer(union_value, kDestination);
    const Value* inner = outer.structure(member);
    std::optional<DestinationConfiguration> out;
    if (inner) {
        ShapeReader nested(*inner, std::string(kDestination) + "." + std::string(member));
        if (member == "s3") {
            auto bucket = nested.string("bucketName", kBucketNameRule);
            if (bucket) out = S3DestinationConfiguration{.bucket_name = *bucket};
        } else if (member == "cloudWatchLogs") {
            auto group = nested.string("logGroupName", kLogGroupNameRule);
            if (group) out = CloudWatchLogsDestinationConfiguration{.log_group_name = *group};
        } else {
            auto stream = nested.string("deliveryStreamName", kDeliveryStreamNameRule);
            if (stream) out = FirehoseDestinationConfiguration{.delivery_stream_name = *stream};
        }
        adopt_errors(outer, nested);
    }
    adopt_errors(r, outer);
    return out;
}

// A union: exactly one known member may be set (null counts as not set); zero, two or an
// unknown member is a validation error, as the SDKs refuse such unions too.
std::optional<DestinationConfiguration> read_destination(ShapeReader& r, bool required) {
    const Value* v = r.structure(kDestination, required);
    if (!v) return std::nullopt;
    std::vector<std::string_view> given;
    bool unknown = false;
    for (const auto& [name, member] : v->members()) {
        if (member.is_null()) continue;
        auto known = std::find(kDestinationMembers.begin(), kDestinationMembers.end(), name);
        if (known == kDestinationMembers.end()) {
            r.fail(std::string(kDestination) + "." + name, "is not a known destination");
            unknown = true;
        } else {
            given.push_back(*known);
        }
    }
    if (given.size() != 1) {
        r.fail(kDestination, "must set exactly one of s3, cloudWatchLogs, firehose");
        return std::nullopt;
    }
    if (unknown) return std::nullopt;
    return read_destination_member(r, *v, given.front());
}

std::optional<int> read_max_results(ShapeReader& r) {
    if (auto i = r.integer("maxResults", kMaxResultsRule)) return static_cast<int>(*i);
    return std::nullopt;
}
}  // namespace

// ---- CreateLoggingConfiguration ----

Value CreateLoggingConfigurationRequest::to_value() const {
    Value v = Value::structure();
    if (name) v.set("name", *name);
    v.set(std::string(kDestination), destination_configuration_to_value(destination_configuration));
    if (tags) v.set("tags", Value::string_map(*tags));
    return v;
}

CreateLoggingConfigurationRequest CreateLoggingConfigurationRequest::from_value(const Value& v) {
    ShapeReader r(v);
    CreateLoggingConfigurationRequest out;
    out.name = r.string("name", kResourceNameRule);
    if (auto d = read_destination(r, true)) out.destination_configuration = std::move(*d);
    out.tags = r.string_map("tags", kTagsRule);
    r.finish();
    return out;
}

void CreateLoggingConfigurationRequest::apply_to(LoggingConfiguration& configuration) const {
    if (name) configuration.name = *name;
    configuration.destination_configuration = destination_configuration;
    if (tags) configuration.tags = *tags;
}

// ---- GetLoggingConfiguration / DeleteLoggingConfiguration ----

Value GetLoggingConfigurationRequest::to_value() const {
    return Value::structure({{"identifier", identifier}});
}

GetLoggingConfigurationRequest GetLoggingConfigurationRequest::from_value(const Value& v) {
    ShapeReader r(v);
    GetLoggingConfigurationRequest out;
    out.identifier = r.string("identifier", as_required(kLoggingConfigurationArnRule)).value_or("");
    r.finish();
    return out;
}

Value DeleteLoggingConfigurationRequest::to_value() const {
    return Value::structure({{"identifier", identifier}});
}

DeleteLoggingConfigurationRequest DeleteLoggingConfigurationRequest::from_value(const Value& v) {
    ShapeReader r(v);
    DeleteLoggingConfigurationRequest out;
    out.identifier = r.string("identifier", as_required(kLoggingConfigurationArnRule)).value_or("");
    r.finish();
    return out;
}

// ---- UpdateLoggingConfiguration ----

Value UpdateLoggingConfigurationRequest::to_value() const {
    Value v = Value::structure();
    v.set("identifier", identifier);
    if (name) v.set("name", *name);
    if (destination_configuration)
        v.set(std::string(kDestination),
              destination_configuration_to_value(*destination_configuration));
    return v;
}

UpdateLoggingConfigurationRequest UpdateLoggingConfigurationRequest::from_value(const Value& v) {
    ShapeReader r(v);
    UpdateLoggingConfigurationRequest out;
    out.identifier = r.string("identifier", as_required(kLoggingConfigurationArnRule)).value_or("");
    out.name = r.string("name", kResourceNameRule);
    out.destination_configuration = read_destination(r, false);
    r.finish();
    return out;
}

void UpdateLoggingConfigurationRequest::apply_to(LoggingConfiguration& configuration) const {
    if (name) configuration.name = *name;
    if (destination_configuration)
        configuration.destination_configuration = *destination_configuration;
}

// ---- ListLoggingConfigurations ----

Value ListLoggingConfigurationsRequest::to_value() const {
    Value v = Value::structure();
    if (next_token) v.set("nextToken", *next_token);
    if (max_results) v.set("maxResults", *max_results);
    return v;
}

ListLoggingConfigurationsRequest ListLoggingConfigurationsRequest::from_value(const Value& v) {
    ShapeReader r(v);
    ListLoggingConfigurationsRequest out;
    out.next_token = r.string("nextToken", kNextTokenRule);
    out.max_results = read_max_results(r);
    r.finish();
    return out;
}

Value ListLoggingConfigurationsResponse::to_value() const {
    List items;
    items.reserve(logging_configurations.size());
    for (const auto& c : logging_configurations) items.push_back(logging_configuration_to_value(c));
    Value v = Value::structure();
    v.set("loggingConfigurations", Value(std::move(items)));
    if (next_token) v.set("nextToken", *next_token);
    return v;
}

}  // namespace parley::model
