#pragma once
// A logging destination as two columns (type, value), shared by the SQLite and PostgreSQL
// schemas: type is 's3', 'cloudWatchLogs' or 'firehose', value the bucket, group or stream.
#include <string>
#include <string_view>
#include <utility>

#include "model/resources.hpp"

namespace parley::store {

std::pair<std::string_view, std::string_view> encode_destination(
    const model::DestinationConfiguration& destination);
// Throws std::runtime_error on a type the schema does not allow (a corrupt row).
model::DestinationConfiguration decode_destination(std::string_view type, std::string value);

}  // namespace parley::store
