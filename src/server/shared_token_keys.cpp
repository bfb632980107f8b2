#include "server/shared_token_keys.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "token/key_wrap.hpp"

namespace parley::server {

namespace {
constexpr auto kReloadEvery = std::chrono::seconds(10);
constexpr auto kMaintainEvery = std::chrono::minutes(5);

std::int64_t now_s() {
    return static_cast<std::int64_t>(std::time(nullptr));
}
}  // namespace

SharedTokenKeys::SharedTokenKeys(store::PgPool& pool, token::KeyBytes master,
                                 store::TokenKeyPolicy policy)
    : pool_(pool), master_(master), policy_(policy) {
    static_assert(kReloadEvery * 3 < std::chrono::seconds(60),
                  "a new key must reach every node before it activates");
}

SharedTokenKeys::~SharedTokenKeys() {
    stop();
    OPENSSL_cleanse(master_.data(), master_.size());
}

std::string SharedTokenKeys::wrap_new_key(std::uint32_t id) const {
    auto key = token::random_key_bytes();
    auto wrapped = token::wrap_key(master_, id, key);
    OPENSSL_cleanse(key.data(), key.size());
    return wrapped;
}

void SharedTokenKeys::start() {
    auto wrap = [this](std::uint32_t id) { return wrap_new_key(id); };
    if (auto id = store::maintain_token_keys(pool_, now_s(), policy_, wrap)) {
        spdlog::info("token key {} added to the shared store", *id);
    }
    reload();
    thread_ = std::thread([this] { run(); });
}

void SharedTokenKeys::reload() {
    std::lock_guard lock(reload_mutex_);
    auto stored = store::load_token_keys(pool_);
    if (stored.empty()) throw std::runtime_error("token keys: none in the shared store");
    const std::int64_t now = now_s();
    // Active: the newest key whose activation time has passed (the first key's always has).
    std::size_t active = 0;
    for (std::size_t i = 0; i < stored.size(); ++i) {
        if (stored[i].activate_s <= now) active = i;
    }
    std::vector<token::KeyRing::Entry> entries;
    for (std::size_t i = 0; i < stored.size(); ++i) {
        auto key = token::unwrap_key(master_, stored[i].id, stored[i].wrapped);
        if (!key) {
            for (auto& e : entries) OPENSSL_cleanse(e.bytes.data(), e.bytes.size());
            throw std::runtime_error(
                "token key " + std::to_string(stored[i].id) +
                " in the shared store cannot be unwrapped: this node's master key "
                "(PARLEY_MASTER_KEY / --master-key-file) differs from the one it was made with");
        }
        // Retired keys carry their successor's activation time; pending keys their own (any
        // non-zero value marks "not the sealing key").
        const std::int64_t retired =
            i == active ? 0 : (i < active ? stored[i + 1].activate_s : stored[i].activate_s);
        entries.push_back(token::KeyRing::Entry{.id = stored[i].id,
                                                .created_s = stored[i].created_s,
                                                .retired_s = std::max<std::int64_t>(retired, 1),
                                                .bytes = *key});
        if (i == active) entries.back().retired_s = 0;
        OPENSSL_cleanse(key->data(), key->size());
    }
    if (!ring_) {
        ring_ = token::KeyRing::from_entries(std::move(entries));
    } else {
        ring_->reload(std::move(entries));
    }
}

void SharedTokenKeys::reload_noexcept() {
    try {
        reload();
    } catch (const std::exception& e) {
        spdlog::error("reloading the shared token keys failed (keeping the loaded ones): {}",
                      e.what());
    }
}

void SharedTokenKeys::run() {
    auto next_maintenance = std::chrono::steady_clock::now() + kMaintainEvery;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_for(lock, kReloadEvery, [this] { return stopping_; })) return;
        }
        if (std::chrono::steady_clock::now() >= next_maintenance) {
            next_maintenance = std::chrono::steady_clock::now() + kMaintainEvery;
            try {
                auto wrap = [this](std::uint32_t id) { return wrap_new_key(id); };
                if (auto id = store::maintain_token_keys(pool_, now_s(), policy_, wrap)) {
                    spdlog::info("token key rotated cluster-wide; key {} activates in {} s", *id,
                                 policy_.activation_delay.count());
                }
            } catch (const std::exception& e) {
                spdlog::error("token key maintenance failed: {}", e.what());
            }
        }
        reload_noexcept();  // also switches to a pending key once its time has come
    }
}

void SharedTokenKeys::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace parley::server
