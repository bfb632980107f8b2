#pragma once
// What travels on a room's channel: the origin node's id (so a node skips its own echo), what
// to do, and its body. Frames travel as the origin serialised them and are never re-encoded.
//   <origin>\n<kind>\n<body>
// kind F: body is a MESSAGE/EVENT JSON to deliver to every member.
// kind D: body is <user id>\n<reason>: close that user's connections with 1000.
// kind C: body is <reason>: close every connection to the room with 1000.
// kind H: body is <stream id>\n<MESSAGE JSON>: a message recorded in the room's history stream
//         (origin's publish script; every node learns each live message's stream id).
// kind P: body is <J|L>\n<user count>\n<connection count>\n<user id>: a user's first
//         connection / last disconnection cluster-wide (origin "*": every node, the sender too).
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
