#include <gtest/gtest.h>

#include "control/auth_failure_log.hpp"

namespace parley::control {
namespace {

TEST(AuthFailureLog, NamesTheAccessKeyIdOfASigV4Header) {
    EXPECT_EQ(access_key_id_of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                               "ivschat/aws4_request, SignedHeaders=host, Signature=abc"),
              "AKIDEXAMPLE");
    EXPECT_EQ(access_key_id_of(""), "-");
    EXPECT_EQ(access_key_id_of("Bearer xyz"), "-");
    EXPECT_EQ(access_key_id_of("AWS4-HMAC-SHA256 Credential=/2015"), "-");
}

TEST(AuthFailureLog, LogsAFewLinesASecondAndCountsTheRest) {
    AuthFailureLog log(3);
    for (int i = 0; i < 10; ++i)
        log.report("ListRooms", "InvalidSignatureException", "mismatch", "", "127.0.0.1:1");
    EXPECT_EQ(log.suppressed_total(), 7u);
}

}  // namespace
}  // namespace parley::control
