#pragma once
// Follows the changes every node makes to a PostgreSQL store: LISTEN on its own connection, in
// its own thread, calling `changed(kind, id)` for each committed write ("room"/"lc"/"keys")
// and `resync()` after each (re)connect, because notifications sent while it was disconnected
// are lost. A lost connection is retried with backoff (100 ms doubling to 5 s); a ping every
// 2 s notices a dead server even when no notification comes.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "store/pg_url.hpp"

namespace parley::store {

class PgChangeListener {
  public:
    struct Handlers {
        std::function<void(std::string_view kind, std::string_view id)> changed;
        std::function<void()> resync;
        std::function<void(const std::string& message, bool problem)> log;
    };

    PgChangeListener(PgUrl url, Handlers handlers);
    ~PgChangeListener();  // stops the thread
    PgChangeListener(const PgChangeListener&) = delete;
    PgChangeListener& operator=(const PgChangeListener&) = delete;

    void start();
    void stop();
    // Listening right now (every committed change reaches the handlers).
    bool connected() const { return connected_.load(); }

  private:
    void run();
    // One connection's lifetime: returns when it broke or stop() was called.
    void listen_once();
    bool sleep_unless_stopped(std::chrono::milliseconds delay);

    PgUrl url_;
    Handlers handlers_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> connected_{false};
};

}  // namespace parley::store
