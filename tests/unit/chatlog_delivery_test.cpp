// Chat log delivery without I/O to a service: the batching limits of PutLogEvents and
// PutRecordBatch, the upload spool (durability, ordering, bound, restart), the endpoints and
// the SigV4-signed requests. The signatures expected below were computed with the AWS SDK's own
// signer (@smithy/signature-v4) for the same requests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "chatlog/delivery_endpoint.hpp"
#include "chatlog/destination_metrics.hpp"
#include "chatlog/destination_requests.hpp"
#include "chatlog/gzip_codec.hpp"
#include "chatlog/log_batches.hpp"
#include "chatlog/log_spool.hpp"

namespace parley::chatlog {
namespace {

namespace fs = std::filesystem;

class SpoolDir {
  public:
    SpoolDir() {
        std::string pattern = (fs::temp_directory_path() / "parley-spool-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~SpoolDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string record_line(std::int64_t ms, std::size_t payload_bytes) {
    // Shaped like format_chat_log_record's output; the timestamp is what batching reads.
    std::time_t secs = ms / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return std::string("{\"event_timestamp\":\"") + stamp +
           "\",\"type\":\"MESSAGE\",\"payload\":\"" + std::string(payload_bytes, 'x') +
           "\",\"version\":\"1.0\"}";
}

// ---- batching limits ------------------------------------------------------------------------

TEST(LogBatches, PutLogEventsAtMost10000Events) {
    std::string text;
    for (int i = 0; i < 25000; ++i) text += "m\n";
    auto chunks = split_lines(text, kPutLogEventsLimits);
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0].records, 10000u);
    EXPECT_EQ(chunks[1].records, 10000u);
    EXPECT_EQ(chunks[2].records, 5000u);
    EXPECT_EQ(chunks[0].text.size(), 20000u);
}

TEST(LogBatches, PutLogEventsBytesCountMessagesPlus26) {
    // 100 events of 10,460 bytes: 10,486 each with the overhead; 1,048,576 / 10,486 = 99.99.
    std::string line(10460, 'a');
    std::string text;
    for (int i = 0; i < 100; ++i) text += line + "\n";
    auto chunks = split_lines(text, kPutLogEventsLimits);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0].records, 99u);
    EXPECT_LE(chunks[0].records * (10460 + 26), 1048576u);
    EXPECT_EQ(chunks[1].records, 1u);
    // Exactly at the limit fits: 1,048,576 = 16 * 65,536 = 16 * (65,510 + 26).
    std::string exact_line(65510, 'b');
    std::string exact;
    for (int i = 0; i < 17; ++i) exact += exact_line + "\n";
    auto exact_chunks = split_lines(exact, kPutLogEventsLimits);
    ASSERT_EQ(exact_chunks.size(), 2u);
    EXPECT_EQ(exact_chunks[0].records, 16u);
}

TEST(LogBatches, PutRecordBatchAtMost500RecordsAnd4MiB) {
    std::string text;
    for (int i = 0; i < 1200; ++i) text += "r\n";
    auto chunks = split_lines(text, kPutRecordBatchLimits);
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0].records, 500u);
    EXPECT_EQ(chunks[2].records, 200u);
    // 100 records of 100,000 bytes + '\n': 41 fit in 4,194,304 bytes, the 42nd does not.
    std::string big(100000, 'c');
    std::string bigs;
    for (int i = 0; i < 100; ++i) bigs += big + "\n";
    auto big_chunks = split_lines(bigs, kPutRecordBatchLimits);
    ASSERT_EQ(big_chunks.size(), 3u);
    EXPECT_EQ(big_chunks[0].records, 41u);
    EXPECT_LE(big_chunks[0].text.size(), 4u * 1024 * 1024);
}

TEST(LogBatches, LogEventsInTimeOrderAndWithin24Hours) {
    const std::int64_t t0 = 1700000000000;
    std::string text = record_line(t0 + 5, 1) + "\n" + record_line(t0, 2) + "\n" +
                       record_line(t0 + 5, 3) + "\n" + record_line(t0 + 25 * 3600 * 1000LL, 4) +
                       "\n";
    auto batches = log_event_batches(text, 0);
    ASSERT_EQ(batches.size(), 2u);
    ASSERT_EQ(batches[0].size(), 3u);
    EXPECT_EQ(batches[0][0].timestamp_ms, t0);
    EXPECT_EQ(batches[0][1].timestamp_ms, t0 + 5);
    // Stable: the two records of one millisecond keep their order.
    EXPECT_NE(batches[0][1].message.find("\"x\""), std::string_view::npos);
    EXPECT_NE(batches[0][2].message.find("\"xxx\""), std::string_view::npos);
    EXPECT_EQ(batches[1][0].timestamp_ms, t0 + 25 * 3600 * 1000LL);
}

// ---- the spool --------------------------------------------------------------------------------

TEST(LogSpool, EntriesAreFilesUntilDeliveredAndSurviveARestart) {
    SpoolDir dir;
    DestinationMetrics metrics;
    {
        LogSpool spool(dir.path(), 1 << 20, metrics);
        ASSERT_EQ(spool.add(DestinationType::Firehose, "stream-a", "", 2, "a\nb\n"), "");
        ASSERT_EQ(spool.add(DestinationType::CloudWatchLogs, "/g", "aws/IVSChatLogs/1.0/room_x", 1,
                            "c\n"),
                  "");
        ASSERT_EQ(spool.add(DestinationType::Firehose, "stream-a", "", 1, "d\n"), "");
        EXPECT_EQ(spool.entries(), 3u);
        EXPECT_EQ(metrics.get(DestinationType::Firehose, "stream-a").queued_records, 3);
        auto first =
            spool.claim(DestinationType::Firehose, [](const std::string&) { return true; });
        ASSERT_TRUE(first);
        std::string data;
        ASSERT_EQ(spool.read(*first, data), "");
        EXPECT_EQ(data, "a\nb\n");
        // Claimed: not handed out twice.
        auto second =
            spool.claim(DestinationType::Firehose, [](const std::string&) { return true; });
        ASSERT_TRUE(second);
        EXPECT_NE(second->sequence, first->sequence);
        spool.finish(*second, false);  // failed: stays
        spool.finish(*first, true);    // delivered: removed
        EXPECT_FALSE(fs::exists(first->path));
        EXPECT_TRUE(fs::exists(second->path));
        EXPECT_EQ(spool.entries(), 2u);
    }
    // A new process finds what is left, names decoded, counts rebuilt, order kept.
    DestinationMetrics metrics2;
    LogSpool again(dir.path(), 1 << 20, metrics2);
    EXPECT_EQ(again.scan(), 2u);
    auto cw = again.claim(DestinationType::CloudWatchLogs, [](const std::string&) { return true; });
    ASSERT_TRUE(cw);
    EXPECT_EQ(cw->destination, "/g");
    EXPECT_EQ(cw->stream, "aws/IVSChatLogs/1.0/room_x");
    EXPECT_EQ(cw->records, 1u);
    auto fh = again.claim(DestinationType::Firehose, [](const std::string&) { return true; });
    ASSERT_TRUE(fh);
    EXPECT_EQ(fh->records, 1u);
    EXPECT_EQ(metrics2.get(DestinationType::Firehose, "stream-a").queued_records, 1);
    // A new entry sorts after everything found.
    ASSERT_EQ(again.add(DestinationType::Firehose, "stream-a", "", 1, "e\n"), "");
    again.finish(*fh, true);
    auto next = again.claim(DestinationType::Firehose, [](const std::string&) { return true; });
    ASSERT_TRUE(next);
    EXPECT_GT(next->sequence, fh->sequence);
}

TEST(LogSpool, BoundDropsTheOldestUnclaimedAndCountsThem) {
    SpoolDir dir;
    DestinationMetrics metrics;
    LogSpool spool(dir.path(), 250, metrics);
    const std::string hundred(100, 'x');
    ASSERT_EQ(spool.add(DestinationType::Firehose, "s", "", 3, hundred), "");
    ASSERT_EQ(spool.add(DestinationType::Firehose, "s", "", 4, hundred), "");
    auto claimed = spool.claim(DestinationType::Firehose, [](const std::string&) { return true; });
    ASSERT_TRUE(claimed);  // the oldest, being uploaded: never dropped
    ASSERT_EQ(spool.add(DestinationType::Firehose, "s", "", 5, hundred), "");
    // 300 > 250: the oldest unclaimed (the second, 4 records) goes.
    EXPECT_EQ(spool.bytes(), 200u);
    EXPECT_EQ(spool.entries(), 2u);
    auto c = metrics.get(DestinationType::Firehose, "s");
    EXPECT_EQ(c.dropped, 4u);
    EXPECT_EQ(c.queued_records, 8);
    EXPECT_EQ(c.spool_bytes, 200);
    EXPECT_NE(
        metrics.render().find(
            "parley_chatlog_destination_dropped_total{type=\"firehose\",destination=\"s\"} 4"),
        std::string::npos);
}

TEST(LogSpool, RewriteKeepsWhatIsLeftAndScanCountsGzipRecords) {
    SpoolDir dir;
    DestinationMetrics metrics;
    LogSpool spool(dir.path(), 1 << 20, metrics);
    ASSERT_EQ(spool.add(DestinationType::Firehose, "s", "", 3, "a\nb\nc\n"), "");
    auto e = spool.claim(DestinationType::Firehose, [](const std::string&) { return true; });
    ASSERT_TRUE(e);
    ASSERT_EQ(spool.rewrite(*e, "b\n", 1), "");
    spool.finish(*e, false);
    auto gz = gzip_compress("r1\nr2\n");
    ASSERT_TRUE(gz);
    ASSERT_EQ(spool.add(DestinationType::S3, "bucket", "AWSLogs/1/k.log.gz", 2, *gz), "");
    DestinationMetrics metrics2;
    LogSpool again(dir.path(), 1 << 20, metrics2);
    EXPECT_EQ(again.scan(), 2u);
    EXPECT_EQ(metrics2.get(DestinationType::Firehose, "s").queued_records, 1);
    EXPECT_EQ(metrics2.get(DestinationType::S3, "bucket").queued_records, 2);
    auto s3 = again.claim(DestinationType::S3, [](const std::string&) { return true; });
    ASSERT_TRUE(s3);
    EXPECT_EQ(s3->stream, "AWSLogs/1/k.log.gz");
    // A destination in backoff is skipped.
    EXPECT_FALSE(
        again.claim(DestinationType::Firehose, [](const std::string& d) { return d != "s"; }));
}

// ---- endpoints --------------------------------------------------------------------------------

TEST(DeliveryEndpoint, AwsByNameAndRegions) {
    std::string error;
    auto s3 =
        resolve_delivery_endpoint(DestinationType::S3, "aws", "", "eu-central-1", "auto", error);
    ASSERT_TRUE(s3) << error;
    EXPECT_TRUE(s3->endpoint.tls);
    EXPECT_EQ(s3->endpoint.host, "s3.eu-central-1.amazonaws.com");
    EXPECT_EQ(s3->region, "eu-central-1");
    EXPECT_EQ(s3->addressing, S3Addressing::VirtualHosted);
    auto logs = resolve_delivery_endpoint(DestinationType::CloudWatchLogs,
                                          "https://logs.us-west-2.amazonaws.com", "", "us-east-1",
                                          "auto", error);
    ASSERT_TRUE(logs);
    EXPECT_EQ(logs->region, "us-west-2");
    EXPECT_EQ(logs->service, "logs");
    auto minio = resolve_delivery_endpoint(DestinationType::S3, "http://127.0.0.1:9000", "",
                                           "us-east-1", "auto", error);
    ASSERT_TRUE(minio);
    EXPECT_EQ(minio->addressing, S3Addressing::Path);
    EXPECT_EQ(minio->region, "us-east-1");
    EXPECT_FALSE(resolve_delivery_endpoint(DestinationType::Firehose, "http://firehose.example.com",
                                           "", "us-east-1", "auto", error));
    EXPECT_NE(error.find("loopback"), std::string::npos);
    EXPECT_FALSE(resolve_delivery_endpoint(DestinationType::S3, "ftp://x", "", "r", "auto", error));
    // Names under .localhost are loopback (RFC 6761) and resolved as localhost.
    EXPECT_TRUE(resolve_delivery_endpoint(DestinationType::S3, "http://s3.localhost:9000", "", "r",
                                          "virtual", error));
    EXPECT_FALSE(resolve_delivery_endpoint(DestinationType::S3, "http://s3.localhost.example.com",
                                           "", "r", "virtual", error));
    EXPECT_EQ(net::resolvable_name("bucket.s3.localhost"), "localhost");
    EXPECT_EQ(net::resolvable_name("s3.example.com"), "s3.example.com");
}

// ---- signed requests --------------------------------------------------------------------------

const auth::Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
constexpr std::int64_t kWhen = 1700000000;  // 20231114T221320Z

TEST(DestinationRequests, S3PutObjectPathStyleMatchesTheSdkSigner) {
    std::string error;
    auto e = *resolve_delivery_endpoint(DestinationType::S3, "http://127.0.0.1:9000", "eu-west-1",
                                        "us-east-1", "path", error);
    auto r = s3_put_object(e, kCreds, "my-bucket", "AWSLogs/123456789012/x_y.log.gz",
                           "hello chat log\n", kWhen);
    EXPECT_EQ(r.target.host, "127.0.0.1");
    EXPECT_EQ(r.target.port, "9000");
    EXPECT_EQ(r.request.method_string(), "PUT");
    EXPECT_EQ(r.request.target(), "/my-bucket/AWSLogs/123456789012/x_y.log.gz");
    EXPECT_EQ(r.request["host"], "127.0.0.1:9000");
    EXPECT_EQ(r.request["content-md5"], "274mcOnUPnDBYoB1ogqe/g==");
    EXPECT_EQ(r.request["x-amz-content-sha256"],
              "8e2d2a4e5bbde6e5a5ff7f98a59f912493515cd5b96cd23c79ecaa3e5ba417ff");
    EXPECT_EQ(r.request["x-amz-date"], "20231114T221320Z");
    EXPECT_EQ(r.request["authorization"],
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/s3/aws4_request, "
              "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date, "
              "Signature=2c2ff82efdaccc78642b820b948fb46ee1d855a4fa1194e2abc41dbdd8600451");
}

TEST(DestinationRequests, S3PutObjectVirtualHostedMatchesTheSdkSigner) {
    std::string error;
    auto e = *resolve_delivery_endpoint(DestinationType::S3, "aws", "eu-west-1", "us-east-1",
                                        "auto", error);
    auto r = s3_put_object(e, kCreds, "my-bucket", "AWSLogs/123456789012/x_y.log.gz",
                           "hello chat log\n", kWhen);
    EXPECT_TRUE(r.target.tls);
    EXPECT_EQ(r.target.host, "my-bucket.s3.eu-west-1.amazonaws.com");
    EXPECT_EQ(r.target.port, "443");
    EXPECT_EQ(r.request.target(), "/AWSLogs/123456789012/x_y.log.gz");
    EXPECT_EQ(r.request["host"], "my-bucket.s3.eu-west-1.amazonaws.com");
    EXPECT_EQ(r.request["authorization"],
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/s3/aws4_request, "
              "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date, "
              "Signature=8baf19b90dd97f2add8c924e349a73f1072d19ff1c30a0f6e8705cfcdc565638");
}

TEST(DestinationRequests, JsonApiRequestMatchesTheSdkSigner) {
    std::string error;
    auto e = *resolve_delivery_endpoint(DestinationType::CloudWatchLogs, "aws", "eu-west-1",
                                        "us-east-1", "auto", error);
    auto r = aws_json_request(e, kCreds, kCreateLogStream, create_log_stream_body("g", "s"), kWhen);
    EXPECT_EQ(r.request.body(), "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}");
    EXPECT_EQ(r.request.method_string(), "POST");
    EXPECT_EQ(r.request.target(), "/");
    EXPECT_EQ(r.request["content-type"], "application/x-amz-json-1.1");
    EXPECT_EQ(r.request["x-amz-target"], "Logs_20140328.CreateLogStream");
    EXPECT_EQ(r.request["authorization"],
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/logs/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
              "Signature=47acfe05d57dda17953754fd0bfa6068dae009b16e2a0ee93d2e9479a8eef7d8");
}

TEST(DestinationRequests, BodiesAndAnswers) {
    std::vector<LogEvent> events{{1, "a\"b"}, {2, "é"}};
    EXPECT_EQ(put_log_events_body("/g", "s", events),
              "{\"logGroupName\":\"/g\",\"logStreamName\":\"s\",\"logEvents\":[{\"timestamp\":1,"
              "\"message\":\"a\\\"b\"},{\"timestamp\":2,\"message\":\"é\"}]}");
    EXPECT_EQ(
        put_record_batch_body("s", {"hi\n", "x"}),
        "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"aGkK\"},{\"Data\":\"eA==\"}]}");
    EXPECT_EQ(
        aws_error_code(
            "{\"__type\":\"com.amazonaws.logs#ResourceNotFoundException\",\"message\":\"x\"}"),
        "ResourceNotFoundException");
    auto failed = failed_record_indexes(
        "{\"FailedPutCount\":1,\"RequestResponses\":[{\"RecordId\":\"a\"},{\"ErrorCode\":"
        "\"ServiceUnavailableException\",\"ErrorMessage\":\"m\"},{\"RecordId\":\"c\"}]}",
        3);
    ASSERT_TRUE(failed);
    EXPECT_EQ(*failed, std::vector<std::size_t>{1});
    EXPECT_FALSE(failed_record_indexes("{\"RequestResponses\":[]}", 2));
}

}  // namespace
}  // namespace parley::chatlog
