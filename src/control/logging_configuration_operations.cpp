#include <algorithm>
#include <mutex>

#include "chatlog/log_destination.hpp"
#include "chatlog/log_object_layout.hpp"
#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"
#include "model/logging_configuration_shapes.hpp"
#include "model/resource_codec.hpp"

namespace parley::control::ops {

using model::ApiError;

namespace {
bool newer_first(const model::LoggingConfiguration& a, const model::LoggingConfiguration& b) {
    if (a.update_time != b.update_time) return a.update_time > b.update_time;
    return a.id < b.id;
}

// A name the API allows that cannot become a file name under --chatlog-dir (the chat logger
// writes one per destination) is refused here, rather than failing every write later.
void require_writable_destination(const model::DestinationConfiguration& configuration) {
    auto destination = chatlog::destination_of(configuration);
    auto why = chatlog::unwritable_name(destination);
    if (!why) return;
    std::string field = "destinationConfiguration.";
    switch (destination.type) {
        case chatlog::DestinationType::S3:
            field += "s3.bucketName";
            break;
        case chatlog::DestinationType::CloudWatchLogs:
            field += "cloudWatchLogs.logGroupName";
            break;
        case chatlog::DestinationType::Firehose:
            field += "firehose.deliveryStreamName";
            break;
    }
    throw ApiError::validation({{field, *why}});
}
}  // namespace

Value create_logging_configuration(ControlContext& ctx, const OperationInput& in) {
    auto req = model::CreateLoggingConfigurationRequest::from_value(in.body);
    require_writable_destination(req.destination_configuration);
    auto lock = ctx.local_write_lock();
    auto quota_exceeded = [&] {
        return ApiError::quota_exceeded("Maximum number of logging configurations reached", "",
                                        "LOGGING_CONFIGURATION",
                                        static_cast<int>(ctx.settings.max_logging_configurations));
    };
    model::LoggingConfiguration lc;
    lc.id = model::new_id();
    lc.arn = model::logging_configuration_arn(ctx.settings.region, ctx.settings.account_id, lc.id);
    lc.name = req.name.value_or("");
    lc.create_time = lc.update_time = model::now_millis();
    lc.destination_configuration = req.destination_configuration;
    lc.state = "ACTIVE";
    lc.tags = req.tags.value_or(model::Tags{});
    // Count and insert are one atomic step in the store, for every node sharing it.
    if (ctx.store.insert_logging_configuration_within_quota(
            lc, ctx.settings.max_logging_configurations) == store::InsertOutcome::QuotaExceeded)
        throw quota_exceeded();
    if (ctx.logging_listener) ctx.logging_listener->configuration_changed(lc);
    return model::logging_configuration_to_value(lc);
}

Value get_logging_configuration(ControlContext& ctx, const OperationInput& in) {
    auto req = model::GetLoggingConfigurationRequest::from_value(in.body);
    return model::logging_configuration_to_value(
        require_logging_configuration(ctx, req.identifier));
}

Value update_logging_configuration(ControlContext& ctx, const OperationInput& in) {
    auto req = model::UpdateLoggingConfigurationRequest::from_value(in.body);
    if (req.destination_configuration) require_writable_destination(*req.destination_configuration);
    auto lock = ctx.local_write_lock();
    auto current = require_logging_configuration(ctx, req.identifier);
    auto lc = ctx.store.modify_logging_configuration(
        current.id, [&](model::LoggingConfiguration& stored) {
            req.apply_to(stored);
            stored.update_time = std::max(model::now_millis(), stored.update_time + 1);
        });
    if (!lc) throw ApiError::not_found(current.id, "LOGGING_CONFIGURATION");
    if (ctx.logging_listener) ctx.logging_listener->configuration_changed(*lc);
    return model::logging_configuration_to_value(*lc);
}

Value delete_logging_configuration(ControlContext& ctx, const OperationInput& in) {
    auto req = model::DeleteLoggingConfigurationRequest::from_value(in.body);
    auto lock = ctx.local_write_lock();
    auto lc = require_logging_configuration(ctx, req.identifier);
    switch (ctx.store.delete_logging_configuration(lc.id)) {
        case store::DeleteOutcome::Deleted:
            if (ctx.logging_listener) ctx.logging_listener->configuration_deleted(lc.arn);
            return Value();
        case store::DeleteOutcome::NotFound:
            throw ApiError::not_found(lc.id, "LOGGING_CONFIGURATION");
        case store::DeleteOutcome::InUse:
            break;
    }
    throw ApiError::conflict("Logging configuration is still used by at least one room", lc.id,
                             "LOGGING_CONFIGURATION");
}

Value list_logging_configurations(ControlContext& ctx, const OperationInput& in) {
    auto req = model::ListLoggingConfigurationsRequest::from_value(in.body);
    auto all = ctx.store.list_logging_configurations();
    std::sort(all.begin(), all.end(), newer_first);
    auto begin = all.begin();
    if (req.next_token && !req.next_token->empty()) {
        auto cursor = ctx.page_tokens.decode(*req.next_token, "logging-configurations");
        if (!cursor) throw ApiError::validation("The nextToken is not valid for this request");
        model::LoggingConfiguration probe;
        probe.update_time = cursor->update_time;
        probe.id = cursor->id;
        begin = std::upper_bound(all.begin(), all.end(), probe, newer_first);
    }
    std::size_t max = static_cast<std::size_t>(req.max_results.value_or(50));
    model::ListLoggingConfigurationsResponse resp;
    for (auto it = begin; it != all.end() && resp.logging_configurations.size() < max; ++it)
        resp.logging_configurations.push_back(*it);
    auto taken = static_cast<std::ptrdiff_t>(resp.logging_configurations.size());
    if (taken > 0 && begin + taken != all.end()) {
        const auto& last = resp.logging_configurations.back();
        resp.next_token =
            ctx.page_tokens.encode({last.update_time, last.id}, "logging-configurations");
    }
    return resp.to_value();
}

}  // namespace parley::control::ops
