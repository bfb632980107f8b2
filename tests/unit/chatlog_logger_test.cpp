#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "chatlog/chat_log_record.hpp"
#include "chatlog/chat_logger.hpp"
#include "chatlog/durable_file.hpp"
#include "chatlog/gzip_codec.hpp"
#include "model/clock_format.hpp"

namespace parley::chatlog {
namespace {

namespace fs = std::filesystem;

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "parley-chatlog-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

const std::string kArnPrefix = "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/";

model::LoggingConfiguration config(const std::string& id, model::DestinationConfiguration d) {
    model::LoggingConfiguration c;
    c.id = id;
    c.arn = kArnPrefix + id;
    c.destination_configuration = std::move(d);
    return c;
}

std::shared_ptr<const model::Room> room(const std::string& id, std::vector<std::string> configs) {
    auto r = std::make_shared<model::Room>();
    r->id = id;
    r->arn = "arn:aws:ivschat:us-west-2:123456789012:room/" + id;
    for (auto& c : configs) r->logging_configuration_identifiers.push_back(kArnPrefix + c);
    return r;
}

std::string message(int n) {
    return R"({"Type":"MESSAGE","Id":"msg)" + std::to_string(n) +
           R"(","RequestId":"","Attributes":null,"Content":"hi","SendTime":")" +
           model::format_rfc3339_nanos(model::now_nanos()) +
           R"(","Sender":{"UserId":"u","Attributes":{}}})";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<fs::path> files_under(const fs::path& dir) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(e.path());
    return out;
}

ChatLogSettings fast_settings(const fs::path& dir) {
    ChatLogSettings s;
    s.directory = dir;
    s.flush_interval = std::chrono::milliseconds(20);
    return s;
}

TEST(ChatLogger, WritesEachDestinationInItsLayout) {
    TempDir tmp;
    ChatLogger logger(fast_settings(tmp.path()));
    logger.load({config("s3cfg", model::S3DestinationConfiguration{"bucket"}),
                 config("cwcfg", model::CloudWatchLogsDestinationConfiguration{"/aws/group"}),
                 config("fhcfg", model::FirehoseDestinationConfiguration{"stream"})});
    logger.start();
    auto r = room("roomAAAAAAAA", {"s3cfg", "cwcfg", "fhcfg"});
    std::vector<std::string> payloads;
    for (int i = 0; i < 5; ++i) {
        payloads.push_back(message(i));
        logger.record(r, "MESSAGE", payloads.back());
    }
    logger.flush();

    auto fh = lines_of(read_file(tmp.path() / "firehose" / "stream.log"));
    auto cw = lines_of(read_file(tmp.path() / "cloudwatch" / "%2Faws%2Fgroup" / "aws" /
                                 "IVSChatLogs" / "1.0" / "room_roomAAAAAAAA.log"));
    ASSERT_EQ(fh.size(), 5u);
    EXPECT_EQ(cw, fh);
    for (std::size_t i = 0; i < 5; ++i) {
        auto ms = payload_send_time_millis(payloads[i]);
        ASSERT_TRUE(ms);
        EXPECT_EQ(fh[i], format_chat_log_record("MESSAGE", payloads[i], *ms));
    }
    auto objects = files_under(tmp.path() / "s3");
    ASSERT_EQ(objects.size(), 1u);  // flush() closes the open S3 batches too
    auto rel = fs::relative(objects[0], tmp.path() / "s3" / "bucket").string();
    EXPECT_EQ(rel.rfind("AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_roomAAAAAAAA/", 0), 0u)
        << rel;
    EXPECT_EQ(lines_of(*gzip_decompress(read_file(objects[0]))), fh);
    EXPECT_EQ(logger.metrics().get(logger.metrics().written, DestinationType::S3), 5u);
    EXPECT_EQ(logger.metrics().get(logger.metrics().written, DestinationType::Firehose), 5u);
    EXPECT_EQ(logger.metrics().get(logger.metrics().written, DestinationType::CloudWatchLogs), 5u);
    logger.stop();
}

TEST(ChatLogger, S3BatchesWaitUntilStopOrSize) {
    TempDir tmp;
    auto settings = fast_settings(tmp.path());
    settings.s3_batch_bytes = 1000;
    ChatLogger logger(settings);
    logger.load({config("s3cfg", model::S3DestinationConfiguration{"bucket"})});
    logger.start();
    auto r = room("roomBBBBBBBB", {"s3cfg"});
    logger.record(r, "MESSAGE", message(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // several flush rounds
    EXPECT_TRUE(files_under(tmp.path() / "s3").empty());          // under 30 s and 1000 bytes
    for (int i = 2; i <= 10; ++i) logger.record(r, "MESSAGE", message(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto full = files_under(tmp.path() / "s3").size();
    EXPECT_GE(full, 1u);  // ~220 bytes a record: the size limit closed batches
    logger.stop();
    std::size_t records = 0;
    std::set<std::string> ids;
    for (auto& f : files_under(tmp.path() / "s3")) {
        EXPECT_EQ(f.extension(), ".gz");
        for (auto& line : lines_of(*gzip_decompress(read_file(f)))) {
            ++records;
            ids.insert(line.substr(line.find(R"("Id":")") + 6, 5));
        }
    }
    EXPECT_EQ(records, 10u);  // stop() wrote the rest, nothing twice
    EXPECT_EQ(ids.size(), 10u);
}

TEST(ChatLogger, RoomsWithoutKnownConfigurationsAreNotLogged) {
    TempDir tmp;
    ChatLogger logger(fast_settings(tmp.path()));
    logger.load({config("fhcfg", model::FirehoseDestinationConfiguration{"stream"})});
    logger.start();
    logger.record(room("roomCCCCCCCC", {}), "MESSAGE", message(1));
    logger.record(room("roomCCCCCCCC", {"unknown"}), "MESSAGE", message(2));
    logger.record(nullptr, "MESSAGE", message(3));
    logger.flush();
    EXPECT_TRUE(files_under(tmp.path()).empty());
}

TEST(ChatLogger, ConfigurationChangesTakeEffectForLaterRecords) {
    TempDir tmp;
    ChatLogger logger(fast_settings(tmp.path()));
    logger.start();
    auto r = room("roomDDDDDDDD", {"cfg"});
    logger.record(r, "EVENT", message(1));  // not known yet
    logger.configuration_changed(config("cfg", model::FirehoseDestinationConfiguration{"one"}));
    logger.record(r, "EVENT", message(2));
    logger.configuration_changed(config("cfg", model::FirehoseDestinationConfiguration{"two"}));
    logger.record(r, "EVENT", message(3));
    logger.configuration_deleted(kArnPrefix + "cfg");
    logger.record(r, "EVENT", message(4));
    logger.flush();
    auto one = lines_of(read_file(tmp.path() / "firehose" / "one.log"));
    auto two = lines_of(read_file(tmp.path() / "firehose" / "two.log"));
    ASSERT_EQ(one.size(), 1u);
    ASSERT_EQ(two.size(), 1u);
    EXPECT_NE(one[0].find(R"("Id":"msg2")"), std::string::npos);
    EXPECT_NE(two[0].find(R"("Id":"msg3")"), std::string::npos);
    EXPECT_NE(two[0].find(R"("type":"EVENT")"), std::string::npos);
}

TEST(ChatLogger, AFullQueueDropsAndCountsNeverBlocks) {
    TempDir tmp;
    auto settings = fast_settings(tmp.path());
    settings.max_queued_records = 64;
    ChatLogger logger(settings);
    logger.load({config("fhcfg", model::FirehoseDestinationConfiguration{"stream"})});
    logger.start();
    auto r = room("roomEEEEEEEE", {"fhcfg"});
    constexpr int kThreads = 4, kEach = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) logger.record(r, "MESSAGE", message(t * kEach + i));
        });
    for (auto& t : threads) t.join();
    logger.stop();
    const auto& m = logger.metrics();
    auto written = m.get(m.written, DestinationType::Firehose);
    auto dropped = m.get(m.dropped, DestinationType::Firehose);
    EXPECT_EQ(written + dropped, static_cast<std::uint64_t>(kThreads * kEach));
    EXPECT_EQ(lines_of(read_file(tmp.path() / "firehose" / "stream.log")).size(), written);
    EXPECT_EQ(m.queued.load(), 0);
    EXPECT_NE(m.render().find(R"(parley_chatlog_records_dropped_total{destination="firehose"} )" +
                              std::to_string(dropped)),
              std::string::npos);
}

TEST(ChatLogger, RecordsAfterStopOrBeforeStartAreDropped) {
    TempDir tmp;
    ChatLogger logger(fast_settings(tmp.path()));
    logger.load({config("s3cfg", model::S3DestinationConfiguration{"b"})});
    auto r = room("roomFFFFFFFF", {"s3cfg"});
    logger.record(r, "MESSAGE", message(1));
    logger.start();
    logger.stop();
    logger.record(r, "MESSAGE", message(2));
    logger.stop();   // twice is fine
    logger.flush();  // and flushing a stopped logger returns
    EXPECT_EQ(logger.metrics().get(logger.metrics().dropped, DestinationType::S3), 2u);
    EXPECT_TRUE(files_under(tmp.path()).empty());
}

TEST(ChatLogger, AnUnwritableDirectoryIsCountedNotFatal) {
    TempDir tmp;
    auto blocker = tmp.path() / "not-a-directory";
    std::ofstream(blocker) << "x";
    ChatLogger logger(fast_settings(blocker / "chatlogs"));
    logger.load({config("s3cfg", model::S3DestinationConfiguration{"b"}),
                 config("fhcfg", model::FirehoseDestinationConfiguration{"f"})});
    logger.start();
    logger.record(room("roomGGGGGGGG", {"s3cfg", "fhcfg"}), "MESSAGE", message(1));
    logger.flush();
    const auto& m = logger.metrics();
    EXPECT_EQ(m.get(m.failed, DestinationType::S3), 1u);
    EXPECT_EQ(m.get(m.failed, DestinationType::Firehose), 1u);
    EXPECT_EQ(m.get(m.written, DestinationType::Firehose), 0u);
}

TEST(DurableFile, AppendsAndReplaces) {
    TempDir tmp;
    auto p = tmp.path() / "a" / "b" / "log.txt";
    EXPECT_EQ(append_durably(p, "one\n"), "");
    EXPECT_EQ(append_durably(p, "two\n"), "");
    EXPECT_EQ(read_file(p), "one\ntwo\n");
    EXPECT_EQ(fs::status(p).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    auto q = tmp.path() / "c" / "object.gz";
    EXPECT_EQ(write_atomically(q, "first"), "");
    EXPECT_EQ(write_atomically(q, "second"), "");
    EXPECT_EQ(read_file(q), "second");
    EXPECT_EQ(files_under(tmp.path() / "c").size(), 1u);  // no temporary file left
    fs::create_directories(tmp.path() / "dir.log");
    EXPECT_NE(append_durably(tmp.path() / "dir.log", "x"), "");
    EXPECT_NE(write_atomically(tmp.path() / "dir.log" / "sub" / ".." / ".." / "dir.log", "x"), "");
}

}  // namespace
}  // namespace parley::chatlog
