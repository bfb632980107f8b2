#include "store/pg_pool.hpp"

#include <algorithm>

#include "store/store.hpp"

namespace parley::store {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
constexpr std::chrono::seconds kMaxWaitForConnection{15};
}  // namespace

PgPool::PgPool(PgUrl url, std::size_t max_connections)
    : url_(std::move(url)), max_(std::max<std::size_t>(1, max_connections)) {}

PgPool::Lease::~Lease() {
    if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_));
}

PgPool::Lease PgPool::acquire() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + kMaxWaitForConnection;
    for (;;) {
        if (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(conn));
        }
        if (open_ < max_) break;
        if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            open_ >= max_) {
            throw Unavailable("postgresql: every pooled connection stayed busy for 15 s");
        }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now < retry_after_) {
        throw Unavailable("PostgreSQL at " + url_.where() +
                          " is unreachable; retrying the connection shortly");
    }
    ++open_;
    lock.unlock();  // connecting may take up to connect_timeout: do not hold up the others
    try {
        auto conn = std::make_unique<PgConnection>(url_);
        lock.lock();
        backoff_ = std::chrono::milliseconds{0};
        retry_after_ = {};
        healthy_ = true;
        return Lease(*this, std::move(conn));
    } catch (...) {
        lock.lock();
        --open_;
        backoff_ = std::min(kMaxBackoff, std::max(kFirstBackoff, backoff_ * 2));
        retry_after_ = std::chrono::steady_clock::now() + backoff_;
        healthy_ = false;
        returned_.notify_one();
        throw;
    }
}

void PgPool::give_back(std::unique_ptr<PgConnection> conn) {
    const bool broken = conn->broken();
    if (broken) {
        healthy_ = false;
        conn.reset();  // closes outside the lock
    }
    std::vector<std::unique_ptr<PgConnection>> stale;
    std::lock_guard lock(mutex_);
    if (broken) {
        // The server went away (restart, failover): the idle connections are dead too, and
        // each would cost a request its 503. Drop them all; the next request reconnects.
        --open_;
        open_ -= idle_.size();
        stale.swap(idle_);
    } else {
        idle_.push_back(std::move(conn));
    }
    returned_.notify_one();
}

}  // namespace parley::store
