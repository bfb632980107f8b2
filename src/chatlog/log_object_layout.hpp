#pragma once
// Where each destination's records land under --chatlog-dir, mirroring the service's layouts:
//   s3/<bucket>/AWSLogs/<account>/IVSChatLogs/1.0/<region>/room_<roomId>/<YYYY>/<MM>/<DD>/<HH>/
//       <account>_IVSChatLogs_1.0_<region>_room_<roomId>_<YYYYMMDDHHmm>_<hash>.log.gz
//   cloudwatch/<logGroupName>/aws/IVSChatLogs/1.0/room_<roomId>.log   (the log stream)
//   firehose/<deliveryStreamName>.log
// Names become single path components: bytes outside [A-Za-z0-9._-] are percent-encoded
// (so log group "/aws/ivs/chat" is the directory "%2Faws%2Fivs%2Fchat"), and "." / ".." are
// encoded whole. A name can never reach outside its directory, and distinct names never share
// one (with '/' kept as subdirectories, group "a" would contain group "a/aws/IVSChatLogs").
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "chatlog/log_destination.hpp"

namespace parley::chatlog {

// The longest file name a Linux file system takes (NAME_MAX).
inline constexpr std::size_t kMaxFileNameBytes = 255;

std::string path_component(std::string_view name);

// Why the destination's name cannot become its file or directory name (its encoded component
// would exceed NAME_MAX; the log group's 512 characters can), or nullopt when it can. Checked
// when a configuration is created or updated, so a bad name is refused then, not found at the
// first write of every record.
std::optional<std::string> unwritable_name(const LogDestination& destination);

// The S3 object key (time = the batch's first record, UTC); hash is the object's random suffix.
std::string s3_object_key(std::string_view account, std::string_view region,
                          std::string_view room_id, std::int64_t epoch_millis,
                          std::string_view hash);

std::filesystem::path s3_object_path(const std::filesystem::path& root, std::string_view bucket,
                                     std::string_view key);
std::filesystem::path cloudwatch_stream_path(const std::filesystem::path& root,
                                             std::string_view log_group, std::string_view room_id);
std::filesystem::path firehose_stream_path(const std::filesystem::path& root,
                                           std::string_view delivery_stream);

}  // namespace parley::chatlog
