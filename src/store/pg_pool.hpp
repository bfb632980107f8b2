#pragma once
// A small thread-safe pool of PostgreSQL connections. Control requests run on every event loop,
// so each borrows a connection for one transaction and gives it back; broken connections are
// dropped, and new ones are opened on demand. After a failed connect, further attempts wait
// out a backoff (100 ms doubling to 5 s) and fail fast meanwhile, so a database outage costs
// each request one quick 503 rather than a connect timeout.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "store/pg_connection.hpp"

namespace parley::store {

class PgPool {
  public:
    PgPool(PgUrl url, std::size_t max_connections);

    class Lease {
      public:
        Lease(PgPool& pool, std::unique_ptr<PgConnection> conn)
            : pool_(&pool), conn_(std::move(conn)) {}
        ~Lease();
        Lease(Lease&& other) noexcept = default;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        PgConnection& operator*() const { return *conn_; }
        PgConnection* operator->() const { return conn_.get(); }

      private:
        PgPool* pool_;
        std::unique_ptr<PgConnection> conn_;
    };

    // Blocks while every connection is lent out. Throws Unavailable when no connection can be
    // made (or the backoff after a failed one has not passed yet).
    Lease acquire();

    // Whether the last connect or query reached the server.
    bool healthy() const { return healthy_.load(); }
    void mark_unhealthy() { healthy_ = false; }
    const PgUrl& url() const { return url_; }

  private:
    void give_back(std::unique_ptr<PgConnection> conn);

    PgUrl url_;
    std::size_t max_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    std::size_t open_ = 0;  // lent out + idle
    std::chrono::steady_clock::time_point retry_after_{};
    std::chrono::milliseconds backoff_{0};
    std::atomic<bool> healthy_{true};
};

}  // namespace parley::store
