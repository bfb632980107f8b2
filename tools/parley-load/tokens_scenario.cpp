// tokens: CreateChatToken as fast as N keep-alive connections allow, each
// request signed when it is sent (what an application backend does), or one
// signature replayed (--presigned, what wrk measures). Every response must be a
// 200. rooms: the same with CreateRoom (a store write per request), so the two
// can be compared on one server and across stores.
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "control_client.hpp"
#include "latency_histogram.hpp"
#include "loop_group.hpp"
#include "process_stats.hpp"
#include "scenario_setup.hpp"
#include "scenarios.hpp"

namespace parley::load {

namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

struct TokenCounters {
    std::uint64_t ok = 0, failed = 0;
    LatencyHistogram latency;
    std::string first_failure;
};

// The connections of one loop, each sending its next request when the last one
// was answered.
class TokenLoop {
  public:
    TokenLoop(asio::io_context& io, const ScenarioSetup& setup, const LoadOptions& o,
              std::string path, std::string body, std::shared_ptr<const std::string> presigned)
        : io_(io),
          setup_(setup),
          signer_(setup.credentials, o.region),
          path_(std::move(path)),
          body_(std::move(body)),
          presigned_(std::move(presigned)) {}

    std::atomic<std::size_t> in_flight{0};

    void start(std::size_t connections, std::size_t first_index, Clock::time_point end) {
        end_ = end;
        for (std::size_t i = 0; i < connections; ++i) {
            auto c = std::make_shared<HttpConnection>(
                io_, setup_.api, setup_.sources[(first_index + i) % setup_.sources.size()]);
            conns_.push_back(c);
            next(c);
        }
    }

    const TokenCounters& counters() const { return counters_; }
    void close_all() {
        for (auto& c : conns_) c->close();
    }

  private:
    void next(const std::shared_ptr<HttpConnection>& c) {
        if (Clock::now() >= end_) return;
        auto wire = presigned_ ? presigned_
                               : std::make_shared<const std::string>(
                                     signed_post(signer_, setup_.api, path_, body_));
        auto t0 = Clock::now();
        in_flight.fetch_add(1);
        c->request(wire, [this, c, t0, wire](const HttpResponse& r) {
            in_flight.fetch_sub(1);
            auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
            if (r.status == 200) {
                ++counters_.ok;
                counters_.latency.record(static_cast<std::uint64_t>(us));
            } else {
                ++counters_.failed;
                if (counters_.first_failure.empty())
                    counters_.first_failure =
                        std::to_string(r.status) + " " + r.body.substr(0, 300);
            }
            next(c);
        });
    }

    asio::io_context& io_;
    const ScenarioSetup& setup_;
    RequestSigner signer_;  // one per loop: it caches the derived key
    std::string path_;
    std::string body_;
    std::shared_ptr<const std::string> presigned_;
    Clock::time_point end_;
    std::vector<std::shared_ptr<HttpConnection>> conns_;
    TokenCounters counters_;
};

std::string ms(std::uint64_t micros) {
    char out[32];
    std::snprintf(out, sizeof out, "%.2f", static_cast<double>(micros) / 1000.0);
    return out;
}

}  // namespace

int run_tokens(const LoadOptions& o) {
    std::string error;
    auto setup = prepare_scenario(o, error);
    if (!setup) {
        std::cerr << "parley-load: " << error << "\n";
        return 2;
    }
    ControlClient control(setup->api, RequestSigner(setup->credentials, o.region),
                          setup->sources[0]);
    const std::string id = run_id();
    const bool rooms = o.command == "rooms";
    const std::string arn =
        rooms ? std::string() : control.create_room("parley-load-tokens-" + id, o.room_rate);
    const std::string path = rooms ? "/CreateRoom" : "/CreateChatToken";
    const std::string body = rooms ? R"({"name":"parley-load-rooms-)" + id + R"("})"
                                   : ControlClient::token_request_body(arn, "tokens-" + id);
    std::shared_ptr<const std::string> presigned;
    if (o.presigned)
        presigned = std::make_shared<const std::string>(control.signed_request(path, body));

    std::cout << o.command << ": " << o.connections << " keep-alive connection(s), " << o.threads
              << " client thread(s), " << o.duration_s << " s, "
              << (o.presigned ? "one pre-signed request replayed" : "every request signed") << "\n";
    LoopGroup loops(o.threads);
    std::vector<std::unique_ptr<TokenLoop>> per_loop;
    for (std::size_t l = 0; l < loops.size(); ++l)
        per_loop.push_back(
            std::make_unique<TokenLoop>(loops.loop(l), *setup, o, path, body, presigned));

    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(o.duration_s));
    auto server0 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
    double client0 = own_cpu_seconds();
    for (std::size_t l = 0, first = 0; l < loops.size(); ++l) {
        std::size_t n = o.connections / loops.size() + (l < o.connections % loops.size() ? 1 : 0);
        asio::post(loops.loop(l), [&, l, n, first] { per_loop[l]->start(n, first, end); });
        first += n;
    }
    std::this_thread::sleep_until(end);
    auto server1 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
    double client1 = own_cpu_seconds();
    // Let the last requests finish (bounded), so they are counted rather than
    // cut.
    const auto drain_end = Clock::now() + std::chrono::seconds(5);
    auto busy = [&] {
        std::size_t n = 0;
        for (auto& t : per_loop) n += t->in_flight.load();
        return n;
    };
    while (busy() > 0 && Clock::now() < drain_end)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    TokenCounters total;
    for (std::size_t l = 0; l < loops.size(); ++l) {
        loops.run_on(l, [&, l] {
            const auto& c = per_loop[l]->counters();
            total.ok += c.ok;
            total.failed += c.failed;
            total.latency.merge(c.latency);
            if (total.first_failure.empty()) total.first_failure = c.first_failure;
            per_loop[l]->close_all();
        });
    }
    loops.stop();
    per_loop.clear();
    try {
        if (!rooms) control.delete_room(arn);
    } catch (const std::exception& e) {
        std::cerr << "parley-load: cleanup: " << e.what() << "\n";
    }

    const double secs = o.duration_s;
    std::cout << "\n| connections | signing | requests | non-200 | req/s | p50 "
                 "ms | p90 ms | p99 ms "
                 "| max ms | server CPU % | client CPU % |\n"
                 "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
              << "| " << o.connections << " | " << (o.presigned ? "pre-signed" : "per request")
              << " | " << total.ok + total.failed << " | " << total.failed << " | "
              << fixed1(static_cast<double>(total.ok) / elapsed) << " | "
              << ms(total.latency.percentile(0.5)) << " | " << ms(total.latency.percentile(0.9))
              << " | " << ms(total.latency.percentile(0.99)) << " | " << ms(total.latency.max())
              << " | " << (server0 && server1 ? fixed1(100 * (*server1 - *server0) / secs) : "-")
              << " | " << fixed1(100 * (client1 - client0) / secs) << " |\n";
    if (total.failed) {
        std::cout << "first failure: " << total.first_failure << "\n";
        return 1;
    }
    return 0;
}

}  // namespace parley::load
