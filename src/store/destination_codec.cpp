#include "store/destination_codec.hpp"

#include <stdexcept>

namespace parley::store {

std::pair<std::string_view, std::string_view> encode_destination(
    const model::DestinationConfiguration& destination) {
    struct Encoder {
        std::pair<std::string_view, std::string_view> operator()(
            const model::S3DestinationConfiguration& d) const {
            return {"s3", d.bucket_name};
        }
        std::pair<std::string_view, std::string_view> operator()(
            const model::CloudWatchLogsDestinationConfiguration& d) const {
            return {"cloudWatchLogs", d.log_group_name};
        }
        std::pair<std::string_view, std::string_view> operator()(
            const model::FirehoseDestinationConfiguration& d) const {
            return {"firehose", d.delivery_stream_name};
        }
    };
    return std::visit(Encoder{}, destination);
}

model::DestinationConfiguration decode_destination(std::string_view type, std::string value) {
    if (type == "s3") return model::S3DestinationConfiguration{std::move(value)};
    if (type == "cloudWatchLogs") {
        return model::CloudWatchLogsDestinationConfiguration{std::move(value)};
    }
    if (type == "firehose") return model::FirehoseDestinationConfiguration{std::move(value)};
    throw std::runtime_error("store: unknown logging destination type '" + std::string(type) +
                             "' in the database");
}

}  // namespace parley::store
