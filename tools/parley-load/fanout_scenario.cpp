// fanout: rooms full of connections; a few senders per room publish at a fixed
// rate per phase and every member measures what arrives. Each Content carries
// its phase and the monotonic send time, so latency is end to end (client send
// -> server -> client receive) on one clock.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <thread>

#include "control_client.hpp"
#include "latency_histogram.hpp"
#include "loop_group.hpp"
#include "open_span.hpp"
#include "process_stats.hpp"
#include "scenario_setup.hpp"
#include "scenarios.hpp"
#include "ws_client.hpp"

namespace parley::load {

namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

std::int64_t mono_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

constexpr auto kDrain = std::chrono::seconds(2);  // late deliveries still count to their phase
// The service lets one connection make 10 requests/s; senders stay below that.
constexpr double kSendsPerSender = 8;

struct RoomCounters {
    std::uint64_t sent = 0;
    std::uint64_t rejected = 0;  // 429: the room's maximumMessageRatePerSecond
    std::uint64_t other_errors = 0;
};

struct PhaseCounters {
    std::vector<RoomCounters> rooms;
    std::uint64_t delivered = 0;
    std::uint64_t unparsed = 0;
    LatencyHistogram latency;

    void merge(const PhaseCounters& o) {
        rooms.resize(std::max(rooms.size(), o.rooms.size()));
        for (std::size_t r = 0; r < o.rooms.size(); ++r) {
            rooms[r].sent += o.rooms[r].sent;
            rooms[r].rejected += o.rooms[r].rejected;
            rooms[r].other_errors += o.rooms[r].other_errors;
        }
        delivered += o.delivered;
        unparsed += o.unparsed;
        latency.merge(o.latency);
    }
};

struct FanoutPlan {
    Endpoint chat;
    std::vector<asio::ip::address_v4> sources;
    std::size_t rooms = 1;
    std::size_t per_room = 0;
    std::size_t phases = 0;
    std::size_t message_chars = 100;
    std::string peer_path;  // benchmark peer: rooms are <peer_path><n>; empty for parleyd
    bool no_catch_up = false;
};

template <class T>
bool parse_number(const char*& p, const char* end, T& out) {
    auto [next, ec] = std::from_chars(p, end, out);
    if (ec != std::errc()) return false;
    p = next;
    return true;
}

// Everything one client event loop owns; touched only on that loop's thread,
// except the atomics the main thread polls while connections open.
class FanoutLoop final : public WsListener {
  public:
    FanoutLoop(asio::io_context& io, const FanoutPlan& plan, std::size_t concurrency)
        : io_(io),
          plan_(plan),
          concurrency_(concurrency),
          phases_(plan.phases),
          open_per_room_(plan.rooms, 0) {
        for (auto& p : phases_) p.rooms.resize(plan.rooms);
    }

    std::atomic<std::size_t> opened{0}, failed{0}, closed{0}, dropped{0};
    OpenSpan span;  // on the loop's thread

    void add(std::size_t index, std::string token) {
        pending_.push_back({index, std::move(token)});
    }

    void open_all() {
        next_pending_ = 0;
        span.started();
        while (in_flight_ < concurrency_ && open_next()) {
        }
    }

    void start_phase(std::size_t phase, double rate_per_room, std::size_t senders_per_room,
                     Clock::time_point start, Clock::time_point end) {
        senders_.clear();
        const auto interval = std::chrono::nanoseconds(
            static_cast<std::int64_t>(1e9 * static_cast<double>(senders_per_room) / rate_per_room));
        const double gap_ns = 1e9 / rate_per_room;  // between two senders of one room
        for (auto& c : clients_) {
            std::size_t room = c->tag / plan_.per_room, slot = c->tag % plan_.per_room;
            if (slot >= senders_per_room || !c->is_open()) continue;
            auto s = std::make_shared<Sender>(io_);
            s->client = c;
            s->room = room;
            s->phase = phase;
            s->interval = interval;
            s->end = end;
            // Stagger senders in a room, and rooms against each other, so sends are
            // even.
            double offset = gap_ns * (static_cast<double>(slot) +
                                      static_cast<double>(room) / static_cast<double>(plan_.rooms));
            s->next = start + std::chrono::nanoseconds(static_cast<std::int64_t>(offset));
            senders_.push_back(s);
            arm(s);
        }
    }

    void close_all() {
        senders_.clear();
        closing_ = true;
        for (auto& c : clients_) c->close();
    }

    PhaseCounters phase(std::size_t p) const { return phases_[p]; }
    std::vector<std::size_t> open_per_room() const { return open_per_room_; }
    std::string first_failure() const { return first_failure_; }
    std::string first_error() const { return first_error_; }

    void on_open(WsClient& c) override {
        span.opened();
        ++open_per_room_[c.tag / plan_.per_room];
        opened.fetch_add(1);
        --in_flight_;
        open_next();
    }

    void on_closed(WsClient& c, bool was_open, std::string_view why) override {
        closed.fetch_add(1);
        if (was_open) {
            --open_per_room_[c.tag / plan_.per_room];
            if (!closing_) {
                if (first_failure_.empty()) first_failure_ = "dropped: " + std::string(why);
                dropped.fetch_add(1);
            }
            return;
        }
        if (first_failure_.empty()) first_failure_ = std::string(why);
        failed.fetch_add(1);
        --in_flight_;
        open_next();
    }

    void on_text(WsClient&, std::string_view payload) override {
        constexpr std::string_view kMessage = R"({"Type":"MESSAGE")";
        constexpr std::string_view kError = R"({"Type":"ERROR")";
        if (payload.substr(0, kMessage.size()) == kMessage) return on_message(payload);
        if (payload.substr(0, kError.size()) == kError) return on_error(payload);
    }

  private:
    struct Sender {
        explicit Sender(asio::io_context& io) : timer(io) {}
        std::shared_ptr<WsClient> client;
        std::size_t room = 0, phase = 0;
        std::uint64_t seq = 0;
        asio::steady_timer timer;
        Clock::time_point next, end;
        Clock::duration interval{};
    };

    bool open_next() {
        if (next_pending_ >= pending_.size()) return false;
        auto& [index, token] = pending_[next_pending_++];
        auto c = std::make_shared<WsClient>(
            io_, plan_.chat, plan_.sources[index % plan_.sources.size()], std::move(token), *this);
        c->tag = index;
        if (!plan_.peer_path.empty())
            c->path = plan_.peer_path + std::to_string(index / plan_.per_room);
        clients_.push_back(c);
        ++in_flight_;
        c->start();
        if (next_pending_ == pending_.size()) {
            pending_.clear();
            pending_.shrink_to_fit();
            next_pending_ = 0;
        }
        return true;
    }

    void arm(const std::shared_ptr<Sender>& s) {
        if (s->next >= s->end) return;
        s->timer.expires_at(s->next);
        s->timer.async_wait([this, s](const boost::system::error_code& ec) {
            if (ec) return;
            send(*s);
            s->next += s->interval;
            skip_missed(*s);
            arm(s);
        });
    }

    // --no-catch-up: whole intervals only, so the senders stay staggered as start_phase set them.
    void skip_missed(Sender& s) const {
        if (!plan_.no_catch_up) return;
        const auto behind = Clock::now() - s.next;
        if (behind > std::chrono::seconds(1)) s.next += (behind / s.interval) * s.interval;
    }

    void send(Sender& s) {
        if (!s.client->is_open()) return;
        std::string content = std::to_string(s.phase) + ":" + std::to_string(mono_ns()) + ":";
        if (content.size() < plan_.message_chars)
            content.append(plan_.message_chars - content.size(), 'x');
        std::string frame = R"({"Action":"SEND_MESSAGE","RequestId":")" + std::to_string(s.phase) +
                            ":" + std::to_string(s.room) + R"(","Content":")" + content + "\"}";
        ++phases_[s.phase].rooms[s.room].sent;
        ++s.seq;
        s.client->send_text(frame);
    }

    void on_message(std::string_view payload) {
        constexpr std::string_view kContent = R"("Content":")";
        auto pos = payload.find(kContent);
        std::size_t phase = 0;
        std::int64_t sent_ns = 0;
        const char* p = payload.data() + pos + kContent.size();
        const char* end = payload.data() + payload.size();
        if (pos == std::string_view::npos || !parse_number(p, end, phase) || p == end ||
            *p++ != ':' || !parse_number(p, end, sent_ns) || phase >= phases_.size()) {
            if (!phases_.empty()) ++phases_.back().unparsed;
            return;
        }
        auto& ph = phases_[phase];
        ++ph.delivered;
        ph.latency.record(
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, mono_ns() - sent_ns) / 1000));
    }

    void on_error(std::string_view payload) {
        constexpr std::string_view kRequest = R"("RequestId":")";
        constexpr std::string_view kCode = R"("ErrorCode":)";
        auto rp = payload.find(kRequest), cp = payload.find(kCode);
        std::size_t phase = 0, room = 0;
        int code = 0;
        const char* end = payload.data() + payload.size();
        const char* p = payload.data() + rp + kRequest.size();
        const char* q = payload.data() + cp + kCode.size();
        if (rp == std::string_view::npos || cp == std::string_view::npos ||
            !parse_number(p, end, phase) || p == end || *p++ != ':' ||
            !parse_number(p, end, room) || !parse_number(q, end, code) || phase >= phases_.size() ||
            room >= plan_.rooms) {
            if (first_error_.empty()) first_error_ = std::string(payload.substr(0, 300));
            return;
        }
        if (code == 429) {
            ++phases_[phase].rooms[room].rejected;
        } else {
            ++phases_[phase].rooms[room].other_errors;
            if (first_error_.empty()) first_error_ = std::string(payload.substr(0, 300));
        }
    }

    asio::io_context& io_;
    const FanoutPlan& plan_;
    std::size_t concurrency_;
    std::vector<std::pair<std::size_t, std::string>> pending_;
    std::size_t next_pending_ = 0;
    std::size_t in_flight_ = 0;
    std::vector<std::shared_ptr<WsClient>> clients_;
    std::vector<std::shared_ptr<Sender>> senders_;
    std::vector<PhaseCounters> phases_;
    std::vector<std::size_t> open_per_room_;
    bool closing_ = false;
    std::string first_failure_;
    std::string first_error_;
};

std::string ms(std::uint64_t micros) {
    char out[32];
    std::snprintf(out, sizeof out, "%.2f", static_cast<double>(micros) / 1000.0);
    return out;
}

}  // namespace

int run_fanout(const LoadOptions& o) {
    std::string error;
    auto setup = prepare_scenario(o, error);
    if (!setup) {
        std::cerr << "parley-load: " << error << "\n";
        return 2;
    }
    FanoutPlan plan{.chat = setup->chat,
                    .sources = setup->sources,
                    .rooms = o.rooms,
                    .per_room = o.connections / o.rooms,
                    .phases = o.rates.size(),
                    .message_chars = o.message_chars,
                    .peer_path = {},
                    .no_catch_up = o.no_catch_up};
    const std::size_t total = plan.per_room * plan.rooms;
    if (total + 64 > setup->open_file_limit) {
        std::cerr << "parley-load: " << total << " connections need about " << total + 64
                  << " open files but this process may open " << setup->open_file_limit
                  << " (the hard limit); use fewer connections or raise `ulimit -Hn`\n";
        return 2;
    }
    check_server_file_limit(o.server_pid, total + 64);

    std::optional<ControlClient> control;
    if (!o.peer)
        control.emplace(setup->api, RequestSigner(setup->credentials, o.region), setup->sources[0]);
    const std::string id = run_id();
    if (o.peer) plan.peer_path = "/parley-load-" + id + "-";
    std::vector<std::string> arns;
    auto delete_rooms = [&] {
        for (const auto& arn : arns) {
            try {
                control->delete_room(arn);
            } catch (const std::exception& e) {
                std::cerr << "parley-load: cleanup: " << e.what() << "\n";
            }
        }
    };

    std::cout << "fanout: " << plan.rooms << " room(s) x " << plan.per_room << " connections, "
              << setup->sources.size() << " source address(es), " << o.threads
              << " client thread(s), " << o.duration_s << " s per phase, room limit " << o.room_rate
              << " msg/s\n";
    std::vector<std::vector<std::string>> tokens;
    auto t0 = Clock::now();
    try {
        if (o.peer) tokens.assign(plan.rooms, std::vector<std::string>(plan.per_room, "chat"));
        for (std::size_t r = 0; control && r < plan.rooms; ++r)
            arns.push_back(
                control->create_room("parley-load-" + id + "-" + std::to_string(r), o.room_rate));
        for (std::size_t r = 0; control && r < plan.rooms; ++r)
            tokens.push_back(control->mint_tokens(arns[r],
                                                  "load-" + id + "-r" + std::to_string(r) + "-", 0,
                                                  plan.per_room, o.concurrency));
    } catch (const std::exception& e) {
        std::cerr << "parley-load: setup failed: " << e.what() << "\n";
        delete_rooms();
        return 1;
    }
    auto minted_s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::cout << "minted " << total << " tokens in " << fixed1(minted_s) << " s\n";

    LoopGroup loops(o.threads);
    std::vector<std::unique_ptr<FanoutLoop>> per_loop;
    for (std::size_t l = 0; l < loops.size(); ++l)
        per_loop.push_back(std::make_unique<FanoutLoop>(
            loops.loop(l), plan, std::max<std::size_t>(1, o.concurrency / loops.size())));
    for (std::size_t l = 0; l < loops.size(); ++l) {
        loops.run_on(l, [&, l] {
            for (std::size_t i = l; i < total; i += loops.size())
                per_loop[l]->add(i, std::move(tokens[i / plan.per_room][i % plan.per_room]));
        });
    }
    tokens.clear();

    auto count = [&](auto member) {
        std::size_t n = 0;
        for (auto& f : per_loop) n += ((*f).*member).load();
        return n;
    };
    t0 = Clock::now();
    const auto server_cpu0 = o.server_pid > 0 ? cpu_seconds(o.server_pid) : std::nullopt;
    const double tool_cpu0 = own_cpu_seconds();
    for (std::size_t l = 0; l < loops.size(); ++l)
        asio::post(loops.loop(l), [&, l] { per_loop[l]->open_all(); });
    const auto open_deadline = t0 + std::chrono::seconds(60 + total / 200);
    // The span is taken on the loops; this poll only bounds the CPU windows.
    while (count(&FanoutLoop::opened) + count(&FanoutLoop::failed) < total &&
           Clock::now() < open_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const double tool_cpu_s = own_cpu_seconds() - tool_cpu0;
    const auto server_cpu1 = o.server_pid > 0 ? cpu_seconds(o.server_pid) : std::nullopt;
    OpenSpan span;
    for (std::size_t l = 0; l < loops.size(); ++l)
        span.merge(loops.run_on(l, [&, l] { return per_loop[l]->span; }));
    std::size_t opened = count(&FanoutLoop::opened), failed = count(&FanoutLoop::failed);
    std::cout << "opened " << opened << " of " << total << " connections "
              << describe_open_span(opened, span);
    if (failed) std::cout << ", " << failed << " failed";
    if (opened + failed < total)
        std::cout << ", " << total - opened - failed
                  << " never answered (server out of file descriptors? see its log)";
    std::cout << "\n";
    const auto cpu_line = describe_open_cpu(
        opened, span, server_cpu0 && server_cpu1 ? *server_cpu1 - *server_cpu0 : -1, tool_cpu_s);
    if (!cpu_line.empty()) std::cout << cpu_line << "\n";
    for (std::size_t l = 0; l < loops.size(); ++l) {
        auto why = loops.run_on(l, [&, l] { return per_loop[l]->first_failure(); });
        if (!why.empty()) {
            std::cout << "first failure: " << why << "\n";
            break;
        }
    }

    int rc = 0;
    if (opened == 0) {
        rc = 1;
    } else {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::cout << "\n| target msg/s | senders/room | sent/s | accepted/s | "
                     "429/s | deliveries/s "
                     "| lost | p50 ms | p90 ms | p99 ms | max ms | server CPU % | "
                     "client CPU % |\n"
                     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
                     "---:|\n";
        const auto duration = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(o.duration_s));
        for (std::size_t p = 0; p < o.rates.size(); ++p) {
            const double rate_per_room = o.rates[p] / static_cast<double>(plan.rooms);
            const std::size_t senders = std::min(
                plan.per_room,
                std::max<std::size_t>(o.senders, static_cast<std::size_t>(
                                                     std::ceil(rate_per_room / kSendsPerSender))));
            const auto start = Clock::now() + std::chrono::milliseconds(100);
            const auto end = start + duration;
            for (std::size_t l = 0; l < loops.size(); ++l)
                asio::post(loops.loop(l), [&, l, p, rate_per_room, senders, start, end] {
                    per_loop[l]->start_phase(p, rate_per_room, senders, start, end);
                });
            std::this_thread::sleep_until(start);
            auto server0 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
            double client0 = own_cpu_seconds();
            std::this_thread::sleep_until(end);
            auto server1 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
            double client1 = own_cpu_seconds();
            std::this_thread::sleep_for(kDrain);

            PhaseCounters total_phase;
            total_phase.rooms.resize(plan.rooms);
            std::vector<std::size_t> open_rooms(plan.rooms, 0);
            for (std::size_t l = 0; l < loops.size(); ++l) {
                auto [ph, open] = loops.run_on(l, [&, l, p] {
                    return std::make_pair(per_loop[l]->phase(p), per_loop[l]->open_per_room());
                });
                total_phase.merge(ph);
                for (std::size_t r = 0; r < plan.rooms; ++r) open_rooms[r] += open[r];
            }
            std::uint64_t sent = 0, rejected = 0, other = 0, expected = 0;
            for (std::size_t r = 0; r < plan.rooms; ++r) {
                const auto& rc_room = total_phase.rooms[r];
                sent += rc_room.sent;
                rejected += rc_room.rejected;
                other += rc_room.other_errors;
                expected +=
                    (rc_room.sent - rc_room.rejected - rc_room.other_errors) * open_rooms[r];
            }
            const double secs = o.duration_s;
            const auto& lat = total_phase.latency;
            const std::int64_t lost = static_cast<std::int64_t>(expected) -
                                      static_cast<std::int64_t>(total_phase.delivered);
            std::cout << "| " << fixed1(o.rates[p]) << " | " << senders << " | "
                      << fixed1(static_cast<double>(sent) / secs) << " | "
                      << fixed1(static_cast<double>(sent - rejected - other) / secs) << " | "
                      << fixed1(static_cast<double>(rejected) / secs) << " | "
                      << fixed1(static_cast<double>(total_phase.delivered) / secs) << " | " << lost
                      << " | " << ms(lat.percentile(0.50)) << " | " << ms(lat.percentile(0.90))
                      << " | " << ms(lat.percentile(0.99)) << " | " << ms(lat.max()) << " | "
                      << (server0 && server1 ? fixed1(100 * (*server1 - *server0) / secs) : "-")
                      << " | " << fixed1(100 * (client1 - client0) / secs) << " |" << std::endl;
            if (other || total_phase.unparsed)
                std::cout << "  (" << other << " other errors, " << total_phase.unparsed
                          << " unparsed frames)\n";
        }
        std::size_t dropped = count(&FanoutLoop::dropped);
        if (dropped) std::cout << "\n" << dropped << " connections were dropped during the run\n";
        for (std::size_t l = 0; l < loops.size(); ++l) {
            auto e = loops.run_on(l, [&, l] { return per_loop[l]->first_error(); });
            if (!e.empty()) {
                std::cout << "first non-429 error frame: " << e << "\n";
                break;
            }
        }
    }

    for (std::size_t l = 0; l < loops.size(); ++l)
        asio::post(loops.loop(l), [&, l] { per_loop[l]->close_all(); });
    const auto close_deadline = Clock::now() + std::chrono::seconds(10);
    while (count(&FanoutLoop::closed) < opened + failed && Clock::now() < close_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    loops.stop();
    per_loop.clear();
    delete_rooms();
    return rc;
}

}  // namespace parley::load
