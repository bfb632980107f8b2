#pragma once
// What a chat connection holds only until its WebSocket upgrade is answered; shared by the
// session's handshake (chat_session_handshake.cpp) and the session itself, which frees it.
#include <array>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <memory_resource>
#include <string>
#include <tuple>
#include <utility>

namespace parley::messaging {

// What a connection holds only until it is upgraded: at most kMaxUpgradeBytes of request, read
// as it arrives (the buffer grows from 512 bytes), so a pending connection stays small.
inline constexpr std::size_t kMaxUpgradeBytes = 8192;

// The request's header fields are allocated from a small arena held here: Beast's fields make
// one allocation a field, about five of a connection's twenty-odd. A typical upgrade (seven
// fields and a chat token) fits in it; a larger head spills to the heap, a chunk at a time.
inline constexpr std::size_t kHandshakeArenaBytes = 1024;

struct HandshakeState {
    using FieldsAllocator = std::pmr::polymorphic_allocator<char>;

    alignas(std::max_align_t) std::array<std::byte, kHandshakeArenaBytes> arena_bytes;
    std::pmr::monotonic_buffer_resource arena{arena_bytes.data(), arena_bytes.size()};
    boost::beast::flat_buffer buffer{kMaxUpgradeBytes};
    boost::beast::http::request_parser<boost::beast::http::empty_body, FieldsAllocator> parser{
        std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldsAllocator(&arena))};
    std::string response;
};

}  // namespace parley::messaging
