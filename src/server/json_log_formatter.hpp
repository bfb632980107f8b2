#pragma once
// --log-format json (issue 11): one JSON object per line,
//   {"time":"2026-11-27T17:00:00.123Z","level":"info","logger":"parleyd","msg":"..."}
// Strings are escaped per RFC 8259, and bytes that are not UTF-8 become U+FFFD, so every line
// parses whatever a client put in a name. Lines of the "access" logger (key=value pairs) get
// each pair as a field as well: "op", "status", "latency_ms", "request_id", "peer".
#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace parley::server {

class JsonLogFormatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace parley::server
