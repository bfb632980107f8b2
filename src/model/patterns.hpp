#pragma once
// The model's string patterns as plain predicates (no std::regex on request paths).
#include <string_view>

namespace parley::model {

bool is_room_arn(std::string_view s);                   // arn:aws:ivschat:<r>:<acct>:room/<id>
bool is_logging_configuration_arn(std::string_view s);  // ...:logging-configuration/<id>
bool is_resource_name(std::string_view s);              // [a-zA-Z0-9-_]*
bool is_alnum_id(std::string_view s);                   // [a-zA-Z0-9]+
bool is_lambda_arn_or_empty(
    std::string_view s);                     // $|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+
bool is_bucket_name(std::string_view s);     // [a-z0-9-.]+
bool is_log_group_name(std::string_view s);  // [\.\-_/#A-Za-z0-9]+
bool is_delivery_stream_name(std::string_view s);  // [a-zA-Z0-9_.-]+

}  // namespace parley::model
