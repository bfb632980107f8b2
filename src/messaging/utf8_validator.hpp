#pragma once
// Strict UTF-8 checks for WebSocket text messages and close reasons (RFC 6455 §8.1), and the
// code-point count IVS Chat limits message Content by.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::messaging {

// Well-formed UTF-8 per Unicode Table 3-7: no overlong forms, no surrogates (U+D800..DFFF),
// nothing above U+10FFFF, no truncated sequence at the end.
bool is_valid_utf8(std::string_view s);

// Number of code points in `s`, counting every byte that is not a continuation byte. Exact for
// valid UTF-8 (check with is_valid_utf8 first); never reads out of bounds on any input.
std::size_t utf8_code_points(std::string_view s);
// At most max_bytes of s, cut before a continuation byte so no character is split (for quoting
// client text in error messages).
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// Streaming form of is_valid_utf8: the input may be cut anywhere, even inside a sequence, so a
// fragmented text message is checked as its pieces arrive and rejected at the first bad byte.
class Utf8Validator {
  public:
    // False as soon as the bytes seen so far cannot begin valid UTF-8; stays false afterwards.
    bool feed(std::string_view chunk);
    // True when everything fed is valid and no multi-byte sequence is left unfinished.
    bool complete() const { return state_ == kAccept; }
    void reset() { state_ = kAccept; }

    // State 0 means "between code points"; exposed only so the implementation can share it.
    static constexpr std::uint8_t kAccept = 0;

  private:
    std::uint8_t state_ = kAccept;
};

}  // namespace parley::messaging
