#include "store/pg_change_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>

#include <algorithm>
#include <chrono>

#include "store/pg_connection.hpp"
#include "store/pg_store.hpp"
#include "store/store.hpp"

namespace parley::store {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
constexpr std::chrono::milliseconds kPollSlice{200};
constexpr std::chrono::milliseconds kPingEvery{2000};
}  // namespace

PgChangeListener::PgChangeListener(PgUrl url, Handlers handlers)
    : url_(std::move(url)), handlers_(std::move(handlers)) {}

PgChangeListener::~PgChangeListener() {
    stop();
}

void PgChangeListener::start() {
    thread_ = std::thread([this] { run(); });
}

void PgChangeListener::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool PgChangeListener::sleep_unless_stopped(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void PgChangeListener::run() {
    auto backoff = std::chrono::milliseconds{0};
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        const auto started = std::chrono::steady_clock::now();
        try {
            listen_once();
        } catch (const std::exception& e) {
            if (connected_.exchange(false) || backoff == std::chrono::milliseconds{0}) {
                handlers_.log(std::string("change feed lost: ") + e.what(), true);
            }
        }
        connected_ = false;
        // A connection that lived a while earns a quick retry; repeated failures back off.
        if (std::chrono::steady_clock::now() - started > std::chrono::seconds(10)) {
            backoff = std::chrono::milliseconds{0};
        }
        backoff = std::min(kMaxBackoff, std::max(kFirstBackoff, backoff * 2));
        if (!sleep_unless_stopped(backoff)) return;
    }
}

void PgChangeListener::listen_once() {
    PgConnection conn(url_);
    conn.exec(std::string("LISTEN ") + kChangeChannel);
    // LISTEN first, then read everything: a change committed in between is both in the read
    // and notified, never neither.
    bool resync_pending = true;
    bool announced = false;
    auto last_ping = std::chrono::steady_clock::now();
    // Hands every queued notification to the handlers.
    auto drain = [&] {
        while (PGnotify* note = PQnotifies(conn.raw())) {
            std::string_view payload = note->extra;
            auto space = payload.find(' ');
            try {
                if (space == std::string_view::npos) {
                    handlers_.changed(payload, {});
                } else {
                    handlers_.changed(payload.substr(0, space), payload.substr(space + 1));
                }
            } catch (const std::exception& e) {
                // The change was not applied: reread everything rather than stay stale.
                handlers_.log(std::string("applying a change failed, resyncing: ") + e.what(),
                              true);
                resync_pending = true;
            }
            PQfreemem(note);
        }
    };
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        if (resync_pending) {
            try {
                handlers_.resync();
                resync_pending = false;
                if (!announced) {
                    handlers_.log("change feed listening on " + url_.redacted(), false);
                    announced = true;
                }
                connected_ = true;
            } catch (const std::exception& e) {
                handlers_.log(std::string("resync failed, retrying: ") + e.what(), true);
            }
        }
        pollfd pfd{PQsocket(conn.raw()), POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(kPollSlice.count()));
        if (ready < 0 && errno != EINTR) throw Unavailable("change feed: poll failed");
        if (ready > 0 && PQconsumeInput(conn.raw()) == 0) {
            throw Unavailable("change feed: " + std::string(PQerrorMessage(conn.raw())));
        }
        drain();
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ping >= kPingEvery) {
            conn.exec("SELECT 1");  // throws Unavailable when the server is gone
            last_ping = now;
            drain();  // notifications that arrived during the ping are queued already
        }
    }
}

}  // namespace parley::store
