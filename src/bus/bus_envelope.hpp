#pragma once
// What travels on a room's channel: the origin node's id (so a node skips its own echo), what
// to do, and its body. Frames travel as the origin serialised them and are never re-encoded.
//   <origin>\n<kind>\n<body>
// kind F: body is a MESSAGE/EVENT JSON to deliver to every member.
// kind D: body is <user id>\n<reason>: close that user's connections with 1000.
// kind C: body is <reason>: close every connection to the room with 1000.
#include <optional>
#include <string>
#include <string_view>

namespace parley::bus {

struct Envelope {
    std::string_view origin;
    char kind = 0;
    std::string_view body;
};

std::string encode_envelope(std::string_view origin, char kind, std::string_view body);
std::optional<Envelope> decode_envelope(std::string_view payload);

}  // namespace parley::bus
