#pragma once
// gzip (RFC 1952) in memory, for S3 log objects, which the service stores as .log.gz.
#include <optional>
#include <string>
#include <string_view>

namespace parley::chatlog {

// nullopt only if zlib fails (out of memory).
std::optional<std::string> gzip_compress(std::string_view data);
// For tests and tools: the decompressed text, nullopt if not valid gzip.
std::optional<std::string> gzip_decompress(std::string_view data);

}  // namespace parley::chatlog
