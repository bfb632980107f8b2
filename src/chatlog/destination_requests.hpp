#pragma once
// The requests the uploaders send, built and SigV4-signed without I/O so tests can check them:
//   S3 PutObject (path-style or virtual-hosted-style, Content-MD5, payload SHA-256 signed),
//   CloudWatch Logs CreateLogStream / PutLogEvents and Firehose PutRecordBatch (AWS JSON 1.1:
//   POST /, X-Amz-Target, Content-Type application/x-amz-json-1.1).
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential_store.hpp"
#include "chatlog/delivery_endpoint.hpp"
#include "chatlog/log_batches.hpp"
#include "net/blocking_http_client.hpp"

namespace parley::chatlog {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct PreparedRequest {
    net::HttpTarget target;
    HttpRequest request;
};

PreparedRequest s3_put_object(const DeliveryEndpoint& endpoint, const auth::Credentials& creds,
                              std::string_view bucket, std::string_view key, std::string body,
                              std::int64_t epoch_seconds);

// operation: e.g. "Logs_20140328.PutLogEvents", "Firehose_20150804.PutRecordBatch".
PreparedRequest aws_json_request(const DeliveryEndpoint& endpoint, const auth::Credentials& creds,
                                 std::string_view operation, std::string body,
                                 std::int64_t epoch_seconds);

inline constexpr std::string_view kPutLogEvents = "Logs_20140328.PutLogEvents";
inline constexpr std::string_view kCreateLogStream = "Logs_20140328.CreateLogStream";
inline constexpr std::string_view kPutRecordBatch = "Firehose_20150804.PutRecordBatch";

std::string put_log_events_body(std::string_view group, std::string_view stream,
                                const std::vector<LogEvent>& events);
std::string create_log_stream_body(std::string_view group, std::string_view stream);
std::string put_record_batch_body(std::string_view delivery_stream,
                                  const std::vector<std::string_view>& records);

// The AWS error code of a JSON error body ("__type", without its namespace prefix), or "".
std::string aws_error_code(std::string_view body);

// PutRecordBatch's answer: indexes of the records that failed (ErrorCode set), nullopt when the
// body is not the documented shape.
std::optional<std::vector<std::size_t>> failed_record_indexes(std::string_view body,
                                                              std::size_t sent);

std::string base64_encode(std::string_view bytes);
std::string md5_base64(std::string_view bytes);

}  // namespace parley::chatlog
