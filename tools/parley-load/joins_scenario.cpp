// joins: join rate of one room, with or without a ?history=N backfill (docs/extensions.md).
// The room is first filled with --history messages (senders paced under the service's 10
// requests/s per connection); then --connections clients join, --concurrency at a time, each
// asking ?history=N when N > 0. A join counts once the upgrade is done and, with a backfill,
// its N MESSAGE frames have arrived; the connection is then closed, so the rate measured is
// the server's join (+ backfill) path, not a growing room's. One client thread.
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iostream>
#include <optional>

#include "control_client.hpp"
#include "latency_histogram.hpp"
#include "process_stats.hpp"
#include "scenario_setup.hpp"
#include "scenarios.hpp"
#include "ws_client.hpp"

namespace parley::load {

namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

constexpr std::size_t kFillSenders = 10;

class JoinsRun final : public WsListener {
  public:
    JoinsRun(asio::io_context& io, const ScenarioSetup& setup, std::size_t history,
             std::size_t concurrency, std::size_t message_chars)
        : io_(io),
          setup_(setup),
          history_(history),
          concurrency_(concurrency),
          content_(message_chars, 'x'),
          timer_(io) {}

    // Fills the room (observer + senders), then returns once the observer has seen it all.
    bool fill(std::vector<std::string> tokens) {
        if (history_ == 0) return true;
        observer_ = open(std::move(tokens.back()), kObserver, "/");
        tokens.pop_back();
        for (std::size_t i = 0; i < tokens.size(); ++i)
            senders_.push_back(open(std::move(tokens[i]), kSender, "/"));
        send_round();
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        while (observed_ < history_ && Clock::now() < deadline)
            io_.run_one_for(std::chrono::milliseconds(100));
        return observed_ >= history_;
    }

    void join_all(std::vector<std::string> tokens) {
        joiner_tokens_ = std::move(tokens);
        started_.assign(joiner_tokens_.size(), {});
        frames_.assign(joiner_tokens_.size(), 0);
        t0_ = Clock::now();
        while (in_flight_ < concurrency_ && open_next()) {
        }
        while (joined_ + failed_ < joiner_tokens_.size())
            io_.run_one_for(std::chrono::milliseconds(100));
        elapsed_ = Clock::now() - t0_;
    }

    void close_fillers() {
        for (auto& s : senders_) s->close();
        if (observer_) observer_->close();
        io_.run_for(std::chrono::milliseconds(200));
    }

    std::size_t joined() const { return joined_; }
    std::size_t failed() const { return failed_; }
    double seconds() const { return std::chrono::duration<double>(elapsed_).count(); }
    const LatencyHistogram& latency() const { return latency_; }

    void on_open(WsClient& c) override {
        if (c.tag < kSender && history_ == 0) finish_join(c);
    }
    void on_text(WsClient& c, std::string_view payload) override {
        const bool message = payload.starts_with(R"({"Type":"MESSAGE")");
        if (c.tag == kObserver) {
            if (message) ++observed_;
            return;
        }
        if (c.tag >= kSender || !message) return;
        if (++frames_[c.tag] == history_) finish_join(c);
    }
    void on_closed(WsClient& c, bool, std::string_view why) override {
        if (c.tag >= kSender || done_[c.tag]) return;
        done_[c.tag] = true;
        ++failed_;
        if (failed_ <= 3) std::cerr << "parley-load: a join failed: " << why << "\n";
        --in_flight_;
        open_next();
    }

  private:
    static constexpr std::size_t kSender = std::size_t(1) << 40;
    static constexpr std::size_t kObserver = kSender + 1;

    std::shared_ptr<WsClient> open(std::string token, std::size_t tag, std::string path) {
        auto c = std::make_shared<WsClient>(io_, setup_.chat,
                                            setup_.sources[next_source_++ % setup_.sources.size()],
                                            std::move(token), *this);
        c->tag = tag;
        c->path = std::move(path);
        c->start();
        return c;
    }

    void send_round() {
        bool all_open = observer_->is_open();
        for (auto& s : senders_) all_open = all_open && s->is_open();
        for (auto& s : senders_) {
            if (!all_open) break;  // the observer must see every message
            if (sent_ >= history_) return;
            if (!s->is_open()) continue;
            s->send_text(R"({"Action":"SEND_MESSAGE","RequestId":"fill-)" +
                         std::to_string(sent_++) + R"(","Content":")" + content_ + R"("})");
        }
        if (sent_ >= history_) return;
        timer_.expires_after(std::chrono::milliseconds(110));  // under 10 requests/s each
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) send_round();
        });
    }

    bool open_next() {
        if (next_ >= joiner_tokens_.size()) return false;
        const std::size_t i = next_++;
        if (done_.size() < joiner_tokens_.size()) done_.assign(joiner_tokens_.size(), false);
        started_[i] = Clock::now();
        ++in_flight_;
        auto c = open(std::move(joiner_tokens_[i]), i,
                      history_ ? "/?history=" + std::to_string(history_) : "/");
        clients_.push_back(std::move(c));
        return true;
    }

    void finish_join(WsClient& c) {
        if (done_[c.tag]) return;
        done_[c.tag] = true;
        ++joined_;
        latency_.record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_[c.tag])
                .count()));
        c.close();
        --in_flight_;
        open_next();
    }

    asio::io_context& io_;
    const ScenarioSetup& setup_;
    std::size_t history_, concurrency_;
    std::string content_;
    asio::steady_timer timer_;
    std::shared_ptr<WsClient> observer_;
    std::vector<std::shared_ptr<WsClient>> senders_, clients_;
    std::size_t sent_ = 0, observed_ = 0, next_source_ = 0;
    std::vector<std::string> joiner_tokens_;
    std::vector<Clock::time_point> started_;
    std::vector<std::size_t> frames_;
    std::vector<bool> done_;
    std::size_t next_ = 0, in_flight_ = 0, joined_ = 0, failed_ = 0;
    Clock::time_point t0_;
    Clock::duration elapsed_{};
    LatencyHistogram latency_;
};

}  // namespace

int run_joins(const LoadOptions& o) {
    std::string error;
    auto setup = prepare_scenario(o, error);
    if (!setup) {
        std::cerr << "parley-load: " << error << "\n";
        return 2;
    }
    const std::size_t total = o.connections ? o.connections : 2000;
    ControlClient control(setup->api, RequestSigner(setup->credentials, o.region),
                          setup->sources[0]);
    const std::string id = run_id();
    std::string arn;
    std::vector<std::string> fillers, joiners;
    try {
        arn = control.create_room("parley-load-joins-" + id, o.room_rate);
        if (o.history > 0)
            fillers =
                control.mint_tokens(arn, "fill-" + id + "-", 0, kFillSenders + 1, o.concurrency);
        joiners = control.mint_tokens(arn, "join-" + id + "-", 0, total, o.concurrency);
    } catch (const std::exception& e) {
        std::cerr << "parley-load: setup failed: " << e.what() << "\n";
        return 1;
    }
    asio::io_context io(1);
    JoinsRun run(io, *setup, o.history, o.concurrency, o.message_chars);
    if (!run.fill(std::move(fillers))) {
        std::cerr << "parley-load: the room could not be filled with " << o.history
                  << " messages\n";
        return 1;
    }
    auto server0 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
    run.join_all(std::move(joiners));
    auto server1 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
    run.close_fillers();
    try {
        control.delete_room(arn);
    } catch (const std::exception& e) {
        std::cerr << "parley-load: cleanup: " << e.what() << "\n";
    }
    std::cout << "joins: " << total << " connections, " << o.concurrency << " at a time, "
              << (o.history ? "?history=" + std::to_string(o.history) : std::string("no history"))
              << "\n  " << run.joined() << " joined, " << run.failed() << " failed in "
              << fixed1(run.seconds())
              << " s: " << fixed1(run.seconds() > 0 ? run.joined() / run.seconds() : 0)
              << " joins/s; join time p50 " << fixed1(run.latency().percentile(0.5) / 1000.0)
              << " ms, p99 " << fixed1(run.latency().percentile(0.99) / 1000.0) << " ms";
    if (server0 && server1 && run.seconds() > 0)
        std::cout << "; server CPU " << fixed1(100.0 * (*server1 - *server0) / run.seconds())
                  << " %";
    std::cout << "\n";
    return run.failed() == 0 ? 0 : 1;
}

}  // namespace parley::load
