#pragma once
// Chat-token keys in cluster mode: kept in PostgreSQL (token_keys), wrapped under the master
// key, loaded into this node's KeyRing. Every node reloads on a "keys" notification and every
// 10 s; a rotated key activates 60 s after it was added, so every node can open tokens sealed
// with it before any node seals with it. The ring's active key is the newest whose activation
// time has passed.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "store/pg_pool.hpp"
#include "store/pg_token_keys.hpp"
#include "token/key_ring.hpp"

namespace parley::server {

class SharedTokenKeys {
  public:
    SharedTokenKeys(store::PgPool& pool, token::KeyBytes master, store::TokenKeyPolicy policy);
    ~SharedTokenKeys();

    // Creates the first key if there is none, loads every key. Throws std::runtime_error when
    // a key cannot be unwrapped (another master key) or the database cannot be reached.
    void start();
    std::shared_ptr<token::KeyRing> ring() const { return ring_; }
    // Reread the keys (on a notification); failures are logged, the ring is kept.
    void reload_noexcept();
    void stop();

  private:
    void reload();
    void run();
    std::string wrap_new_key(std::uint32_t id) const;

    store::PgPool& pool_;
    token::KeyBytes master_;
    store::TokenKeyPolicy policy_;
    std::shared_ptr<token::KeyRing> ring_;
    std::mutex reload_mutex_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace parley::server
