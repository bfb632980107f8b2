#include <gtest/gtest.h>

#include <cstdint>

#include "model/clock_format.hpp"

using namespace parley::model;

TEST(ClockFormat, Iso8601Millis) {
    EXPECT_EQ(format_iso8601_millis(1673275715358), "2023-01-09T14:48:35.358Z");
    EXPECT_EQ(format_iso8601_millis(0), "1970-01-01T00:00:00.000Z");
}

TEST(ClockFormat, Rfc3339NanosDropsTrailingZeros) {
    EXPECT_EQ(format_rfc3339_nanos(1669969280754555595), "2022-12-02T08:21:20.754555595Z");
    EXPECT_EQ(format_rfc3339_nanos(1669969551136912720), "2022-12-02T08:25:51.13691272Z");
    EXPECT_EQ(format_rfc3339_nanos(1669969551000000000), "2022-12-02T08:25:51Z");
}

// The fraction is split off without computing secs * 1e9, which overflows near INT64_MIN.
TEST(ClockFormat, ExtremeTimesFormatWithoutOverflow) {
    EXPECT_EQ(format_rfc3339_nanos(INT64_MIN), "1677-09-21T00:12:43.145224192Z");
    EXPECT_EQ(format_rfc3339_nanos(INT64_MAX), "2262-04-11T23:47:16.854775807Z");
    EXPECT_EQ(format_rfc3339_nanos(-1), "1969-12-31T23:59:59.999999999Z");
    EXPECT_EQ(format_iso8601_millis(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_FALSE(format_iso8601_millis(INT64_MIN).empty());
}

TEST(ClockFormat, AmzDateRoundTrip) {
    EXPECT_EQ(format_amz_date(1440938160), "20150830T123600Z");
    EXPECT_EQ(parse_amz_date("20150830T123600Z"), 1440938160);
    EXPECT_FALSE(parse_amz_date("20150830T123600"));
    EXPECT_FALSE(parse_amz_date("2015-08-30T12:36:00Z"));
    EXPECT_FALSE(parse_amz_date("20151330T123600Z"));
}

TEST(ClockFormat, HttpDateIsStrictAboutTheZone) {
    EXPECT_EQ(format_http_date(1440938160), "Sun, 30 Aug 2015 12:36:00 GMT");
    EXPECT_EQ(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), 1440938160);
    EXPECT_FALSE(parse_http_date("Sun, 30 Aug 2015 12:36:00 +0200"));
    EXPECT_FALSE(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMTX"));
    EXPECT_FALSE(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"));
    EXPECT_FALSE(parse_http_date(""));
}
