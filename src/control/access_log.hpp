#pragma once
// One info line per control-API request (issue 11), on the "access" logger:
//   api op=CreateRoom status=200 latency_ms=0.42 request_id=... peer=127.0.0.1:5555
// With --log-format json each key=value becomes a field of the line's JSON object.
#include <functional>
#include <string>
#include <string_view>

namespace parley::control {

void log_api_access(std::string_view operation, unsigned status, double latency_ms,
                    std::string_view request_id, const std::function<std::string()>& peer);

}  // namespace parley::control
