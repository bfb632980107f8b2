#pragma once
// base64url without padding (RFC 4648 section 5): the alphabet of chat tokens and page tokens,
// all RFC 7230 token characters. Decoding is strict: every string maps to distinct bytes.
#include <string>
#include <string_view>

namespace parley::model {

std::string base64url_encode(const unsigned char* p, std::size_t n);
inline std::string base64url_encode(std::string_view bytes) {
    return base64url_encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}
// False on a character outside the alphabet, a length of 4n+1, or non-zero trailing bits.
bool base64url_decode(std::string_view s, std::string& out);

}  // namespace parley::model
