#include <gtest/gtest.h>

#include "model/base64url.hpp"

using parley::model::base64url_decode;
using parley::model::base64url_encode;

TEST(Base64Url, Rfc4648Vectors) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RoundTripsEveryLength) {
    std::string bytes;
    for (int n = 0; n < 70; ++n) {
        std::string out;
        ASSERT_TRUE(base64url_decode(base64url_encode(bytes), out));
        EXPECT_EQ(out, bytes);
        bytes += static_cast<char>(n * 37);
    }
}

TEST(Base64Url, DecodingIsStrict) {
    std::string out;
    EXPECT_FALSE(base64url_decode("Zg=", out));   // padding is not base64url-nopad
    EXPECT_FALSE(base64url_decode("Z", out));     // 4n+1 characters
    EXPECT_FALSE(base64url_decode("Zh", out));    // non-zero trailing bits
    EXPECT_FALSE(base64url_decode("Zm+v", out));  // standard alphabet
    EXPECT_TRUE(base64url_decode("Zg", out));
    EXPECT_EQ(out, "f");
}
