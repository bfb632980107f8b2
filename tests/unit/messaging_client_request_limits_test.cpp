// Bounds on what a chat request may make the server copy to every member of a room.
#include "messaging/client_request_limits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::messaging {
namespace {

TEST(ClientRequestLimits, MessageIdsAreTwelveLettersAndDigits) {
    EXPECT_TRUE(is_message_id("M2YcHkgffEvU"));
    EXPECT_TRUE(is_message_id("000000000000"));
    EXPECT_FALSE(is_message_id(""));
    EXPECT_FALSE(is_message_id("M2YcHkgffEv"));    // 11
    EXPECT_FALSE(is_message_id("M2YcHkgffEvUx"));  // 13
    EXPECT_FALSE(is_message_id("M2YcHkgff-vU"));
    EXPECT_FALSE(is_message_id("M2YcHkgff vU"));
    EXPECT_FALSE(is_message_id("M2YcHkgff\xC3\xA9U"));  // 12 bytes, not all ASCII
    EXPECT_FALSE(is_message_id(std::string(60 * 1024, 'a')));
}

TEST(ClientRequestLimits, LengthsCountCodePoints) {
    EXPECT_TRUE(within_length("", 256));
    EXPECT_TRUE(within_length(std::string(256, 'r'), 256));
    EXPECT_FALSE(within_length(std::string(257, 'r'), 256));
    std::string wide;  // 256 two-byte characters: 512 bytes, still 256 characters
    for (int i = 0; i < 256; ++i) wide += "\xC3\xA9";
    EXPECT_TRUE(within_length(wide, 256));
    EXPECT_FALSE(within_length(wide + "\xC3\xA9", 256));
    std::string emoji;  // 4 bytes each: the largest byte count that can still fit
    for (int i = 0; i < 256; ++i) emoji += "\xF0\x9F\x98\x80";
    EXPECT_TRUE(within_length(emoji, 256));
    EXPECT_FALSE(within_length(emoji + "x", 256));
    EXPECT_FALSE(within_length(std::string(60 * 1024, 'r'), kMaxRequestIdLength));
}

TEST(ClientRequestLimits, LengthErrorNamesTheMemberAndItsBound) {
    EXPECT_EQ(length_error("Reason", std::string(256, 'r'), kMaxReasonLength), "");
    EXPECT_EQ(length_error("Reason", std::string(257, 'r'), kMaxReasonLength),
              "Reason must be at most 256 characters");
    EXPECT_EQ(length_error("UserId", std::string(129, 'u'), kMaxUserIdLength),
              "UserId must be at most 128 characters");
}

TEST(ClientRequestLimits, TheChosenBounds) {
    EXPECT_EQ(kMaxRequestIdLength, 256u);
    EXPECT_EQ(kMaxReasonLength, 256u);
    EXPECT_EQ(kMaxUserIdLength, 128u);
}

}  // namespace
}  // namespace parley::messaging
