#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "chatlog/gzip_codec.hpp"
#include "chatlog/log_destination.hpp"
#include "chatlog/log_object_layout.hpp"

namespace parley::chatlog {
namespace {

TEST(ChatLogLayout, S3KeyFollowsTheServicePattern) {
    // 2023-01-05T14:33:32.894Z
    EXPECT_EQ(
        s3_object_key("123456789012", "us-west-2", "WhO6MW6iRdS5", 1672929212894, "0a1b2c3d"),
        "AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_WhO6MW6iRdS5/2023/01/05/14/"
        "123456789012_IVSChatLogs_1.0_us-west-2_room_WhO6MW6iRdS5_202301051433_0a1b2c3d.log.gz");
}

TEST(ChatLogLayout, S3KeyPadsEveryDateField) {
    // 2024-03-04T05:06:07Z
    auto key = s3_object_key("000000000001", "eu-central-1", "abcdefABCDEF", 1709528767000, "ff");
    EXPECT_EQ(key,
              "AWSLogs/000000000001/IVSChatLogs/1.0/eu-central-1/room_abcdefABCDEF/2024/03/04/05/"
              "000000000001_IVSChatLogs_1.0_eu-central-1_room_abcdefABCDEF_202403040506_ff.log.gz");
    // The public code's object pattern (spec §4).
    std::regex observed(
        R"(/000000000001_IVSChatLogs_1\.0_eu-central-1_room_abcdefABCDEF_.*\.log\.gz$)");
    EXPECT_TRUE(std::regex_search("/" + key, observed));
}

TEST(ChatLogLayout, DestinationPaths) {
    std::filesystem::path root = "/var/parley/chatlogs";
    EXPECT_EQ(s3_object_path(root, "my-bucket.logs", "AWSLogs/1/x.log.gz"),
              "/var/parley/chatlogs/s3/my-bucket.logs/AWSLogs/1/x.log.gz");
    EXPECT_EQ(cloudwatch_stream_path(root, "/aws/ivs/chat#1", "WhO6MW6iRdS5"),
              "/var/parley/chatlogs/cloudwatch/%2Faws%2Fivs%2Fchat%231/aws/IVSChatLogs/1.0/"
              "room_WhO6MW6iRdS5.log");
    EXPECT_EQ(firehose_stream_path(root, "chat_stream-1.a"),
              "/var/parley/chatlogs/firehose/chat_stream-1.a.log");
}

TEST(ChatLogLayout, NamesNeverLeaveTheirDirectory) {
    EXPECT_EQ(path_component("."), "%2E");
    EXPECT_EQ(path_component(".."), "%2E%2E");
    EXPECT_EQ(path_component("../../etc"), "..%2F..%2Fetc");
    EXPECT_EQ(path_component("a/b"), "a%2Fb");
    EXPECT_EQ(path_component(""), "%00");
    EXPECT_EQ(path_component("ünï"), "%C3%BCn%C3%AF");
    EXPECT_EQ(path_component("Plain-name_1.2"), "Plain-name_1.2");
    // Distinct names stay distinct.
    EXPECT_NE(path_component("a/b"), path_component("a%2Fb"));
    EXPECT_EQ(path_component("a%2Fb"), "a%252Fb");
    auto p = cloudwatch_stream_path("/root", "..", "r");
    EXPECT_EQ(p.lexically_normal().string().rfind("/root/cloudwatch/", 0), 0u);
}

// Names the API accepts but no file system can hold are refused when configured. The bound is
// checked against a real directory: the longest accepted name can be created, one more cannot.
TEST(ChatLogLayout, NamesLongerThanAFileNameAreUnwritable) {
    using T = DestinationType;
    EXPECT_FALSE(unwritable_name({T::CloudWatchLogs, std::string(255, 'g')}));
    EXPECT_TRUE(unwritable_name({T::CloudWatchLogs, std::string(256, 'g')}));
    EXPECT_FALSE(unwritable_name({T::CloudWatchLogs, std::string(85, '/')}));  // 255 bytes
    EXPECT_TRUE(unwritable_name({T::CloudWatchLogs, std::string(86, '/')}));
    EXPECT_TRUE(unwritable_name({T::CloudWatchLogs, std::string(512, '#')}));
    EXPECT_FALSE(unwritable_name({T::Firehose, std::string(251, 'f')}));  // + ".log"
    EXPECT_TRUE(unwritable_name({T::Firehose, std::string(252, 'f')}));
    EXPECT_FALSE(unwritable_name({T::Firehose, std::string(64, 'f')}));  // the API's longest
    EXPECT_FALSE(unwritable_name({T::S3, std::string(63, 'b')}));        // the API's longest
    EXPECT_FALSE(unwritable_name({T::Firehose, ".."}));  // encoded whole: "%2E%2E.log"
    EXPECT_FALSE(unwritable_name({T::CloudWatchLogs, "."}));
    EXPECT_NE(unwritable_name({T::CloudWatchLogs, std::string(300, 'g')})->find("300 bytes"),
              std::string::npos);

    auto dir =
        std::filesystem::temp_directory_path() / ("parley-layout-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto creatable = [&](const std::filesystem::path& p) {
        std::error_code ec;
        std::filesystem::create_directories(p.parent_path(), ec);
        if (ec) return false;
        std::ofstream out(p);
        return out.good();
    };
    EXPECT_TRUE(creatable(cloudwatch_stream_path(dir, std::string(85, '/'), "r")));
    EXPECT_FALSE(creatable(cloudwatch_stream_path(dir, std::string(86, '/'), "r")));
    EXPECT_TRUE(creatable(firehose_stream_path(dir, std::string(251, 'f'))));
    EXPECT_FALSE(creatable(firehose_stream_path(dir, std::string(252, 'f'))));
    EXPECT_TRUE(creatable(firehose_stream_path(dir, "..")));
    std::filesystem::remove_all(dir);
}

TEST(ChatLogLayout, DestinationOfEachConfigurationKind) {
    EXPECT_EQ(destination_of(model::S3DestinationConfiguration{"b"}),
              (LogDestination{DestinationType::S3, "b"}));
    EXPECT_EQ(destination_of(model::CloudWatchLogsDestinationConfiguration{"/g"}),
              (LogDestination{DestinationType::CloudWatchLogs, "/g"}));
    EXPECT_EQ(destination_of(model::FirehoseDestinationConfiguration{"f"}),
              (LogDestination{DestinationType::Firehose, "f"}));
    EXPECT_EQ(type_name(DestinationType::CloudWatchLogs), "cloudWatchLogs");
}

TEST(ChatLogLayout, GzipRoundTrip) {
    std::string text;
    for (int i = 0; i < 5000; ++i)
        text += R"({"event_timestamp":"x","n":)" + std::to_string(i) + "}\n";
    auto gz = gzip_compress(text);
    ASSERT_TRUE(gz);
    ASSERT_GE(gz->size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
    EXPECT_LT(gz->size(), text.size() / 4);
    EXPECT_EQ(gzip_decompress(*gz), text);
    EXPECT_EQ(gzip_decompress(*gzip_compress("")), "");
    EXPECT_FALSE(gzip_decompress("not gzip at all"));
    EXPECT_FALSE(gzip_decompress(gz->substr(0, gz->size() / 2)));
}

}  // namespace
}  // namespace parley::chatlog
