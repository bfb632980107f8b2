// idle: N open, silent chat connections and the server's resident memory before
// and after. One process may hold only RLIMIT_NOFILE sockets, so the
// connections are spread over child processes (forked before any thread exists)
// that the parent drives through pipes: tokens minted -> connect -> hold ->
// close. The parent reads the server's RSS in between, so token minting does
// not count as connection memory.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "control_client.hpp"
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

struct Child {
    pid_t pid = -1;
    int to_child = -1;
    int from_child = -1;
    std::size_t first = 0, count = 0;
};

bool write_line(int fd, const std::string& line) {
    std::string s = line + "\n";
    return ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
}

// One line from fd, or nullopt on EOF / timeout.
std::optional<std::string> read_line(int fd, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return std::nullopt;
        char c;
        if (::read(fd, &c, 1) != 1) return std::nullopt;
        if (c == '\n') return out;
        out += c;
    }
}

// Opens connections with bounded concurrency and keeps them open; lives on one
// loop.
class IdleLoop final : public WsListener {
  public:
    IdleLoop(asio::io_context& io, const Endpoint& chat, std::vector<asio::ip::address_v4> sources,
             std::size_t concurrency)
        : io_(io), chat_(chat), sources_(std::move(sources)), concurrency_(concurrency) {}

    std::atomic<std::size_t> opened{0}, failed{0}, closed{0}, dropped{0};
    OpenSpan span;  // on the loop's thread

    void open_all(std::vector<std::string> tokens, std::size_t first_index) {
        tokens_ = std::move(tokens);
        first_index_ = first_index;
        span.started();
        while (in_flight_ < concurrency_ && open_next()) {
        }
    }
    void close_all() {
        closing_ = true;
        for (auto& c : clients_) c->close();
    }
    std::string first_failure() const { return first_failure_; }

    void on_open(WsClient&) override {
        span.opened();
        opened.fetch_add(1);
        --in_flight_;
        open_next();
    }
    void on_text(WsClient&, std::string_view) override {}
    void on_closed(WsClient&, bool was_open, std::string_view why) override {
        closed.fetch_add(1);
        if (first_failure_.empty() && (!was_open || !closing_))
            first_failure_ = (was_open ? "dropped: " : "") + std::string(why);
        if (was_open) {
            if (!closing_) dropped.fetch_add(1);
            return;
        }
        failed.fetch_add(1);
        --in_flight_;
        open_next();
    }

  private:
    bool open_next() {
        if (next_ >= tokens_.size()) return false;
        std::size_t global = first_index_ + next_;
        auto c = std::make_shared<WsClient>(io_, chat_, sources_[global % sources_.size()],
                                            std::move(tokens_[next_]), *this);
        ++next_;
        c->tag = global;
        clients_.push_back(c);
        ++in_flight_;
        c->start();
        return true;
    }

    asio::io_context& io_;
    Endpoint chat_;
    std::vector<asio::ip::address_v4> sources_;
    std::size_t concurrency_;
    std::vector<std::string> tokens_;
    std::size_t first_index_ = 0, next_ = 0, in_flight_ = 0;
    std::vector<std::shared_ptr<WsClient>> clients_;
    bool closing_ = false;
    std::string first_failure_;
};

// The child's whole life; returns its exit status.
int run_idle_child(const LoadOptions& o, const ScenarioSetup& setup, const std::string& arn,
                   const std::string& id, const Child& me, int in, int out) {
    std::vector<std::string> tokens;
    try {
        if (o.peer) {
            tokens.assign(me.count, "chat");
        } else {
            ControlClient control(setup.api, RequestSigner(setup.credentials, o.region),
                                  setup.sources[0]);
            tokens =
                control.mint_tokens(arn, "idle-" + id + "-", me.first, me.count, o.concurrency);
        }
    } catch (const std::exception& e) {
        write_line(out, std::string("E ") + e.what());
        return 1;
    }
    write_line(out, "T");
    auto go = read_line(in, std::chrono::minutes(10));
    if (!go || *go != "C") return 1;

    LoopGroup loops(1);
    IdleLoop idle(loops.loop(0), setup.chat, setup.sources, o.concurrency);
    const double cpu0 = own_cpu_seconds();
    asio::post(loops.loop(0), [&] { idle.open_all(std::move(tokens), me.first); });
    const auto deadline = Clock::now() + std::chrono::seconds(60 + me.count / 200);
    // The span itself is taken on the loop; this poll only bounds how long the
    // tool's own CPU figure runs past it.
    while (idle.opened + idle.failed < me.count && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const double cpu_s = own_cpu_seconds() - cpu0;
    auto [why, span] = loops.run_on(0, [&] { return std::pair(idle.first_failure(), idle.span); });
    // O opened failed first-start-ns last-open-ns cpu-µs why
    write_line(out, "O " + std::to_string(idle.opened.load()) + " " +
                        std::to_string(idle.failed.load()) + " " +
                        std::to_string(span.first_start_ns) + " " +
                        std::to_string(span.last_open_ns) + " " +
                        std::to_string(static_cast<std::int64_t>(cpu_s * 1e6)) + " " + why);

    // Bounded even if the parent died: the hold plus a margin.
    auto stop =
        read_line(in, std::chrono::milliseconds(static_cast<std::int64_t>(o.duration_s * 1000)) +
                          std::chrono::minutes(2));
    std::size_t dropped = idle.dropped.load();
    asio::post(loops.loop(0), [&] { idle.close_all(); });
    const auto close_deadline = Clock::now() + std::chrono::seconds(15);
    while (idle.closed < idle.opened + idle.failed && Clock::now() < close_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    write_line(out, "D " + std::to_string(dropped));
    loops.stop();
    return stop ? 0 : 1;
}

}  // namespace

int run_idle(const LoadOptions& o) {
    std::string error;
    auto setup = prepare_scenario(o, error);
    if (!setup) {
        std::cerr << "parley-load: " << error << "\n";
        return 2;
    }
    if (o.server_pid <= 0) {
        std::cerr << "parley-load: idle needs --server-pid (e.g. $(pgrep -n "
                     "parleyd)) to read RSS\n";
        return 2;
    }
    if (!resident_kib(o.server_pid)) {
        std::cerr << "parley-load: cannot read /proc/" << o.server_pid << "/status\n";
        return 2;
    }
    const std::size_t n = o.connections;
    const std::size_t per_process_budget =
        setup->open_file_limit > 200 ? setup->open_file_limit - 100 : 100;
    std::size_t processes =
        o.processes ? o.processes : (n + per_process_budget - 1) / per_process_budget;
    if ((n + processes - 1) / processes > per_process_budget) {
        std::cerr << "parley-load: " << processes << " process(es) cannot hold " << n
                  << " connections with an open-file limit of " << setup->open_file_limit << "\n";
        return 2;
    }
    check_server_file_limit(o.server_pid, n + 64);

    std::optional<ControlClient> control;
    const std::string id = run_id();
    std::string arn;
    if (!o.peer) {
        control.emplace(setup->api, RequestSigner(setup->credentials, o.region), setup->sources[0]);
        arn = control->create_room("parley-load-idle-" + id, o.room_rate);
    }
    std::cout << "idle: " << n << " connections from " << processes << " process(es), "
              << setup->sources.size() << " source address(es), holding " << o.duration_s << " s\n";
    const auto rss_start = resident_kib(o.server_pid).value_or(0);

    std::cout.flush();  // or every child would print the parent's buffered lines again
    std::vector<Child> children(processes);
    for (std::size_t i = 0, first = 0; i < processes; ++i) {
        auto& ch = children[i];
        ch.first = first;
        ch.count = n / processes + (i < n % processes ? 1 : 0);
        first += ch.count;
        int down[2], up[2];
        if (::pipe(down) != 0 || ::pipe(up) != 0) throw std::runtime_error("pipe() failed");
        pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork() failed");
        if (pid == 0) {
            ::close(down[1]);
            ::close(up[0]);
            ::_exit(run_idle_child(o, *setup, arn, id, ch, down[0], up[1]));
        }
        ::close(down[0]);
        ::close(up[1]);
        ch.pid = pid;
        ch.to_child = down[1];
        ch.from_child = up[0];
    }

    auto broadcast = [&](const std::string& line) {
        for (auto& ch : children) write_line(ch.to_child, line);
    };
    auto gather = [&](char tag, std::chrono::milliseconds timeout,
                      std::vector<std::string>& lines) {
        lines.clear();
        for (auto& ch : children) {
            auto line = read_line(ch.from_child, timeout);
            if (!line || line->empty() || (*line)[0] != tag) {
                std::cerr << "parley-load: child " << ch.pid << ": "
                          << (line ? *line : std::string("no answer")) << "\n";
                return false;
            }
            lines.push_back(*line);
        }
        return true;
    };

    int rc = 0;
    std::vector<std::string> lines;
    std::size_t opened = 0, failed = 0, dropped = 0;
    std::uint64_t rss_before = 0, rss_after = 0, rss_peak = 0, rss_closed = 0;
    std::uint64_t fds_before = 0, fds_after = 0;
    OpenSpan span;
    double tool_cpu_s = 0;
    if (!gather('T', std::chrono::milliseconds(60000 + 5 * n), lines)) {
        rc = 1;
    } else {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        rss_before = resident_kib(o.server_pid).value_or(0);
        fds_before = open_file_count(o.server_pid).value_or(0);
        const auto server_cpu0 = cpu_seconds(o.server_pid);
        broadcast("C");
        if (!gather('O', std::chrono::milliseconds(70000 + 10 * n), lines)) {
            rc = 1;
        } else {
            const auto server_cpu1 = cpu_seconds(o.server_pid);
            std::string first_failure;
            for (const auto& l : lines) {
                std::istringstream s(l.substr(2));
                std::size_t a = 0, b = 0;
                OpenSpan child;
                std::int64_t cpu_us = 0;
                s >> a >> b >> child.first_start_ns >> child.last_open_ns >> cpu_us;
                opened += a;
                failed += b;
                span.merge(child);
                tool_cpu_s += static_cast<double>(cpu_us) / 1e6;
                std::string why;
                std::getline(s, why);
                if (first_failure.empty() && why.size() > 1) first_failure = why.substr(1);
            }
            std::cout << "opened " << opened << " connections " << describe_open_span(opened, span);
            if (failed) std::cout << ", " << failed << " failed (first: " << first_failure << ")";
            if (opened + failed < n)
                std::cout << ", " << n - opened - failed
                          << " never answered (server out of file descriptors? see its log)";
            std::cout << "\n";
            const auto cpu_line = describe_open_cpu(
                opened, span, server_cpu0 && server_cpu1 ? *server_cpu1 - *server_cpu0 : -1,
                tool_cpu_s);
            if (!cpu_line.empty()) std::cout << cpu_line << "\n";
            // Hold: sample every second; the last sample is the steady state.
            const auto hold_end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(o.duration_s));
            while (Clock::now() < hold_end) {
                std::this_thread::sleep_for(std::chrono::seconds(1));
                rss_after = resident_kib(o.server_pid).value_or(0);
                rss_peak = std::max(rss_peak, rss_after);
            }
            fds_after = open_file_count(o.server_pid).value_or(0);
        }
        broadcast("X");
        if (gather('D', std::chrono::seconds(30), lines)) {
            for (const auto& l : lines) dropped += std::stoul(l.substr(2));
        } else {
            rc = 1;
        }
        std::this_thread::sleep_for(std::chrono::seconds(2));
        rss_closed = resident_kib(o.server_pid).value_or(0);
    }
    for (auto& ch : children) {
        ::close(ch.to_child);
        ::close(ch.from_child);
        int status = 0;
        ::waitpid(ch.pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
    }
    try {
        if (control) control->delete_room(arn);
    } catch (const std::exception& e) {
        std::cerr << "parley-load: cleanup: " << e.what() << "\n";
    }
    if (opened == 0) return 1;

    const double per_conn = (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
                            static_cast<double>(opened);
    std::cout << "\n| connections | server RSS before (KiB) | with connections "
                 "(KiB) | peak (KiB) "
                 "| after close (KiB) | KiB per connection | server fds |\n"
                 "|---:|---:|---:|---:|---:|---:|---:|\n"
              << "| " << opened << " | " << rss_before << " | " << rss_after << " | " << rss_peak
              << " | " << rss_closed << " | " << fixed2(per_conn) << " | " << fds_before << " -> "
              << fds_after << " |\n";
    std::cout << "(server RSS when the run started: " << rss_start << " KiB; " << dropped
              << " connections dropped while held)\n";
    return rc;
}

}  // namespace parley::load
