#include "bus/bus_envelope.hpp"

namespace parley::bus {

std::string encode_envelope(std::string_view origin, char kind, std::string_view body) {
    std::string out;
    out.reserve(origin.size() + 3 + body.size());
    out.append(origin);
    out.push_back('\n');
    out.push_back(kind);
    out.push_back('\n');
    out.append(body);
    return out;
}

std::optional<Envelope> decode_envelope(std::string_view payload) {
    auto nl = payload.find('\n');
    if (nl == std::string_view::npos || nl + 2 >= payload.size() || payload[nl + 2] != '\n')
        return std::nullopt;
    return Envelope{payload.substr(0, nl), payload[nl + 1], payload.substr(nl + 3)};
}

}  // namespace parley::bus
