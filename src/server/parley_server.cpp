#include "server/parley_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>
#include <utility>

#include "auth/credential_store.hpp"
#include "auth/sigv4_verifier.hpp"
#include "bus/local_bus.hpp"
#include "bus/redis_bus.hpp"
#include "bus/redis_history.hpp"
#include "bus/redis_presence.hpp"
#include "chatlog/chat_log_delivery.hpp"
#include "chatlog/chat_logger.hpp"
#include "control/api_router.hpp"
#include "control/console_site.hpp"
#include "control/control_context.hpp"
#include "control/http_listener.hpp"
#include "control/request_metrics.hpp"
#include "control/room_sync.hpp"
#include "messaging/chat_listener.hpp"
#include "messaging/edge_context.hpp"
#include "messaging/edge_metrics.hpp"
#include "messaging/rate_limiter.hpp"
#include "messaging/review/lambda_message_reviewer.hpp"
#include "messaging/room_catalog.hpp"
#include "messaging/room_history.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/server_tls_context.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"
#include "model/version.hpp"
#include "server/console_config.hpp"
#include "server/credential_file.hpp"
#include "server/data_dir_lock.hpp"
#include "server/event_loop_pool.hpp"
#include "server/listen_socket.hpp"
#include "server/master_key.hpp"
#include "server/memory_trimmer.hpp"
#include "server/shared_token_keys.hpp"
#include "store/history_log.hpp"
#include "store/pg_change_listener.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "token/key_ring.hpp"
#include "token/replay_guard.hpp"
#include "token/token_sealer.hpp"

namespace parley::server {

namespace asio = boost::asio;

struct ParleyServer::Parts {
    std::unique_ptr<DataDirLock> data_dir_lock;  // held until the very end of stop()
    std::unique_ptr<store::Store> store;
    store::PgStore* pg = nullptr;  // the same store, when it is PostgreSQL
    messaging::RoomCatalog rooms;
    std::unique_ptr<control::RoomSync> sync;  // PostgreSQL only
    std::shared_ptr<token::KeyRing> keys;
    std::unique_ptr<SharedTokenKeys> shared_keys;  // PostgreSQL only
    std::string page_token_key;                    // PostgreSQL only: shared by every node
    std::unique_ptr<token::TokenSealer> sealer;
    auth::CredentialStore credentials;
    std::unique_ptr<auth::SigV4Verifier> verifier;
    std::unique_ptr<control::ControlContext> control;
    std::unique_ptr<control::ApiRouter> router;
    // Declared before `loops`, so they outlive handlers still queued on the loops at teardown.
    token::ReplayGuard replay_guard;
    messaging::RoomRateLimiter room_rates;
    messaging::EdgeMetrics edge_metrics;
    std::unique_ptr<messaging::EdgeContext> edge;
    // Message history (docs/extensions.md): before `hub`, which records into it.
    std::unique_ptr<store::SqliteHistoryLog> history_log;  // SQLite store only
    std::unique_ptr<messaging::RoomHistory> history;
    std::unique_ptr<EventLoopPool> loops;
    // After `loops`: its timers are destroyed while the loops' io_contexts still exist.
    std::unique_ptr<messaging::RoomHub> hub;
    // After `hub`, so freed first: a freed Redis link answers its pending requests into the hub.
    // Cluster mode (--bus redis): history and presence in Redis, on the bus's links. Before
    // `bus`, so freed after it: freeing the links answers their pending requests into these.
    std::unique_ptr<bus::RedisHistory> shared_history;
    std::unique_ptr<bus::RedisPresence> shared_presence;
    std::unique_ptr<bus::Bus> bus;
    // After `loops`: destroyed first, while the loops' io_contexts still exist.
    std::unique_ptr<messaging::LambdaMessageReviewer> reviewer;
    std::unique_ptr<chatlog::ChatLogger> chat_logger;
    std::unique_ptr<chatlog::ChatLogDelivery> chat_log_delivery;  // with a --*-endpoint only
    asio::io_context accept_ctx{1};
    std::shared_ptr<control::HttpListener> api_listener;
    std::shared_ptr<messaging::ChatListener> chat_listener;
    std::unique_ptr<asio::steady_timer> key_timer;
    // TLS (issue 11): one context per door (the same object when both use the same files).
    messaging::ServerTlsContextPtr api_tls, chat_tls;
    std::unique_ptr<asio::steady_timer> tls_watch_timer;
    std::unique_ptr<MemoryTrimmer> trimmer;
    std::thread accept_thread;
    // Last: its thread calls into the catalog, hub and logger, so it stops first.
    std::unique_ptr<store::PgChangeListener> change_listener;
};

ParleyServer::ParleyServer(ServerConfig config) : config_(std::move(config)) {}

ParleyServer::~ParleyServer() {
    stop();
}

namespace {
// Review-handler invocations are signed with PARLEY_LAMBDA_ACCESS_KEY_ID /
// PARLEY_LAMBDA_SECRET_ACCESS_KEY when both are set, else with the server's own API keys.
auth::Credentials lambda_credentials(const auth::Credentials& api) {
    const char* id = std::getenv("PARLEY_LAMBDA_ACCESS_KEY_ID");
    const char* secret = std::getenv("PARLEY_LAMBDA_SECRET_ACCESS_KEY");
    if (id && *id && secret && *secret) return {id, secret};
    return api;
}
// Chat log destinations (issue 14): any upload left in the spool (directories stay behind).
bool spool_holds_files(const std::filesystem::path& spool) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(spool, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) return true;
    return false;
}
}  // namespace

// ---- message history (docs/extensions.md) ----
void ParleyServer::start_history() {
    auto& p = *parts_;
    messaging::HistoryLimits limits{
        .max_messages = config_.history_messages,
        .max_age_ns = std::int64_t{config_.history_minutes} * 60 * 1'000'000'000};
    if (auto* redis = dynamic_cast<bus::RedisBus*>(p.bus.get())) {
        // Cluster mode: one history and one presence for all nodes, in Redis (docs/design.md,
        // "Cluster-wide history and presence").
        p.shared_presence = std::make_unique<bus::RedisPresence>(*redis, p.hub->node_id());
        if (limits.enabled())
            p.shared_history = std::make_unique<bus::RedisHistory>(*redis, limits.max_messages,
                                                                   limits.max_age_ns / 1'000'000);
        p.hub->set_shared(p.shared_history.get(), limits, p.shared_presence.get());
        p.shared_presence->start();
        return;
    }
    if (!limits.enabled()) return;
    if (!config_.uses_postgresql()) {
        p.history_log = std::make_unique<store::SqliteHistoryLog>(
            config_.data_dir / "parley.db", limits.max_messages, limits.max_age_ns);
    }
    p.history = std::make_unique<messaging::RoomHistory>(limits, p.history_log.get());
    if (p.history_log) {
        auto records = p.history_log->load(model::now_nanos());
        spdlog::info("message history: {} message(s) restored", records.size());
        p.history->restore(std::move(records));
    }
    p.hub->set_history(p.history.get());
}

void ParleyServer::start() {
    auto& p = *(parts_ = std::make_unique<Parts>());
    // Both doors first: a busy port stops the start before anything is written to the data dir.
    auto api_acceptor = bind_listener(p.accept_ctx, config_.api_listen, "--api-listen");
    auto chat_acceptor = bind_listener(p.accept_ctx, config_.chat_listen, "--chat-listen");
    load_tls();  // a bad certificate or key stops the start here, before the data dir is used
    p.data_dir_lock = std::make_unique<DataDirLock>(config_.data_dir);

    if (config_.uses_postgresql()) {
        open_shared_store();
    } else {
        p.store = store::open_sqlite_store(config_.data_dir / "parley.db");
        for (auto& room : p.store->list_rooms()) p.rooms.put(std::move(room));
        p.keys = token::KeyRing::load_or_create(config_.data_dir / "token-keys");
    }
    p.sealer = std::make_unique<token::TokenSealer>(p.keys);
    p.replay_guard.persist_to(config_.data_dir / "used-tokens", model::now_millis());

    chatlog::ChatLogSettings chat_log_settings;
    chat_log_settings.directory = config_.chatlog_dir;
    chat_log_settings.s3_batch_interval = std::chrono::seconds(config_.chatlog_s3_batch_seconds);
    // --- Chat log destinations (issue 14): uploads through a spool under the chat log dir.
    if (config_.delivers_chat_logs()) {
        auto log_credentials = chatlog::chat_log_credentials_from_environment();
        if (!log_credentials)
            throw std::invalid_argument(
                "--s3-endpoint, --logs-endpoint and --firehose-endpoint need "
                "PARLEY_LOG_ACCESS_KEY_ID and PARLEY_LOG_SECRET_ACCESS_KEY");
        p.chat_log_delivery = std::make_unique<chatlog::ChatLogDelivery>(
            chatlog::ChatLogDeliverySettings{.s3_endpoint = config_.s3_endpoint,
                                             .logs_endpoint = config_.logs_endpoint,
                                             .firehose_endpoint = config_.firehose_endpoint,
                                             .region = config_.chatlog_region,
                                             .fallback_region = config_.region,
                                             .s3_addressing = config_.s3_addressing,
                                             .ca_file = config_.chatlog_ca_file,
                                             .spool_max_bytes = config_.chatlog_spool_max_bytes,
                                             .spool_directory = config_.chatlog_dir / "spool",
                                             .credentials = *log_credentials});
        p.chat_log_delivery->configure(chat_log_settings);
        p.chat_log_delivery->start();
    } else if (spool_holds_files(config_.chatlog_dir / "spool")) {
        spdlog::warn(
            "{} holds chat log uploads from an earlier run but no --s3-endpoint, "
            "--logs-endpoint or --firehose-endpoint is set: they are kept, not sent",
            (config_.chatlog_dir / "spool").string());
    }
    // --- end chat log destinations
    p.chat_logger = std::make_unique<chatlog::ChatLogger>(std::move(chat_log_settings));
    p.chat_logger->load(p.store->list_logging_configurations());
    p.chat_logger->start();
    if (p.sync) {
        // A room may name a logging configuration created on another node a moment ago, whose
        // notification has not arrived here yet: the room's commit came after the
        // configuration's, so the store has it. Without this, the first messages could go
        // unlogged on this node.
        p.sync->set_on_loaded([&p](const model::Room& room) {
            for (const auto& arn : room.logging_configuration_identifiers) {
                if (p.chat_logger->knows(arn)) continue;
                auto parts = model::parse_arn(arn);
                if (!parts) continue;
                if (auto lc = p.store->find_logging_configuration(parts->id))
                    p.chat_logger->configuration_changed(*lc);
            }
        });
    }

    auto creds = load_or_create_credentials(config_.data_dir);
    p.credentials.add(creds.credentials);
    p.verifier = std::make_unique<auth::SigV4Verifier>(p.credentials);

    p.control = std::make_unique<control::ControlContext>(
        control::ControlSettings{.region = config_.region,
                                 .account_id = config_.account_id,
                                 .token_ttl_minutes = config_.token_ttl_minutes,
                                 .max_rooms = config_.max_rooms,
                                 .max_logging_configurations = config_.max_logging_configurations},
        *p.store, p.rooms, *p.sealer);
    p.control->logging_listener = p.chat_logger.get();
    p.control->sync = p.sync.get();
    if (!p.page_token_key.empty())
        p.control->page_tokens = control::PageTokenCodec(p.page_token_key);
    p.router = std::make_unique<control::ApiRouter>(*p.control, *p.verifier);
    p.router->set_metrics_source([&p] {
        return control::request_metrics().render() + p.edge_metrics.render() +
               p.chat_logger->render_metrics() +
               (p.chat_log_delivery ? p.chat_log_delivery->render_metrics() : "") +
               (p.bus ? p.bus->render_metrics() : "");
    });

    unsigned threads =
        config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
    p.loops = std::make_unique<EventLoopPool>(threads);

    // Always installed: without --lambda-endpoint it applies each room's fallbackResult. Made
    // before the hub, so a bad endpoint URL or CA file fails the start quickly.
    p.reviewer = std::make_unique<messaging::LambdaMessageReviewer>(
        config_.lambda_endpoint, config_.lambda_ca_file, lambda_credentials(creds.credentials),
        p.loops->size(), p.edge_metrics);
    p.edge = std::make_unique<messaging::EdgeContext>(messaging::EdgeContext{
        .settings = {.max_frame_bytes = config_.max_frame_bytes,
                     .max_outbound_bytes = config_.max_outbound_bytes,
                     .max_connections = config_.max_connections,
                     .max_pending_connections = config_.max_pending_connections,
                     .batch_sends = config_.io_uring != "off",
                     .room_affinity = config_.room_affinity},
        .rooms = p.rooms,
        .sealer = *p.sealer,
        .replay_guard = p.replay_guard,
        .room_rates = p.room_rates,
        .metrics = p.edge_metrics,
    });
    std::vector<asio::io_context*> loop_ptrs;
    for (std::size_t i = 0; i < p.loops->size(); ++i) loop_ptrs.push_back(&p.loops->loop(i));
    p.hub = std::make_unique<messaging::RoomHub>(loop_ptrs, *p.edge);
    p.edge->hub = p.hub.get();
    if (config_.bus == "local") {
        p.bus = std::make_unique<bus::LocalBus>();
    } else {
        // One loop drives both Redis links; the others reach it by posting.
        auto url = *bus::parse_redis_url(config_.bus);
        spdlog::info("chat bus: Redis at {}:{}", url.host, url.port);  // no password in logs
        p.bus = std::make_unique<bus::RedisBus>(p.loops->loop(0), std::move(url));
    }
    p.hub->set_bus(p.bus.get(), model::new_id());
    start_history();
    p.bus->start();
    p.router->set_bus_health([b = p.bus.get()] { return b->healthy(); });
    p.hub->set_publish_observer([logger = p.chat_logger.get()](
                                    const messaging::RoomPtr& room, std::string_view type,
                                    const std::string& json) { logger->record(room, type, json); });
    p.edge->reviewer = p.reviewer.get();
    p.control->live = p.hub.get();
    if (p.sync) {
        p.sync->set_live(p.hub.get());
        start_change_feed();
    }
    auto* loops = p.loops.get();
    auto next = [loops]() -> asio::any_io_executor { return loops->next().get_executor(); };
    p.api_listener =
        std::make_shared<control::HttpListener>(p.accept_ctx, std::move(api_acceptor), next,
                                                *p.router, config_.max_api_connections, p.api_tls);
    // The chat door accepts on event loop 0, not on the accept thread: a connection for loop 0
    // then starts there without a cross-thread post, so one wake-up of one thread serves the
    // accept and the upgrade, as uWebSockets does. With the accept thread, every accept round
    // woke two threads on the server's core (measured with --threads 1: 0.64 context switches
    // and 1.85 epoll_ctl per connection opened; docs/performance.md (m)).
    // The listener takes the bound socket out of the acceptor and serves it on loop 0.
    p.chat_listener = std::make_shared<messaging::ChatListener>(
        p.loops->loop(0), std::move(chat_acceptor), *p.edge, *p.hub, p.chat_tls);
    if (config_.console) start_console();
    schedule_key_maintenance();
    watch_tls_files();
    p.trimmer = std::make_unique<MemoryTrimmer>(p.accept_ctx, [&p] {
        auto chat = p.edge_metrics.connections_open.load(std::memory_order_relaxed);
        return p.api_listener->open_connections() +
               static_cast<std::size_t>(std::max<std::int64_t>(chat, 0));
    });
    p.trimmer->start();
    p.api_listener->start();
    p.chat_listener->start();
    p.hub->start_ticks();
    p.loops->start();
    p.accept_thread = std::thread([&p] {
        for (;;) {
            try {
                p.accept_ctx.run();
                return;
            } catch (const std::exception& e) {
                // As on the event loops: an escaped exception must not std::terminate the server.
                spdlog::error("accept loop caught an exception: {}", e.what());
            }
        }
    });
    p.router->set_ready(true);
    started_ = true;

    auto api_ep = p.api_listener->local_endpoint();
    auto chat_ep = p.chat_listener->local_endpoint();
    spdlog::info("parleyd {} ready: {} rooms, {} event loops", model::kParleyVersion,
                 p.rooms.size(), threads);
    spdlog::info("control API  {}://{}  (region {} in ARNs, account {})",
                 p.api_tls ? "https" : "http", client_host_port(api_ep), config_.region,
                 config_.account_id);
    spdlog::info("chat WebSocket {}://{}", p.chat_tls ? "wss" : "ws", client_host_port(chat_ep));
    for (auto [tls, door] : {std::pair{p.api_tls.get(), "API"}, {p.chat_tls.get(), "chat"}})
        if (tls)
            spdlog::info("{} door TLS certificate {} (reloaded on SIGHUP and when it changes)",
                         door, tls->cert_file().string());
    if (api_ep.address().is_unspecified() || chat_ep.address().is_unspecified())
        spdlog::info(
            "listening on every address of this machine; clients elsewhere use its name "
            "or address");
    spdlog::info("chat logs under {}", config_.chatlog_dir.string());
    if (p.chat_log_delivery)
        spdlog::info("chat logs delivered to {} (spool {})", p.chat_log_delivery->describe(),
                     (config_.chatlog_dir / "spool").string());
    if (config_.lambda_endpoint.empty())
        spdlog::info(
            "no --lambda-endpoint: rooms with a message review handler get its fallbackResult");
    else
        spdlog::info("message review handlers invoked at {}{}", config_.lambda_endpoint,
                     config_.lambda_ca_file.empty()
                         ? ""
                         : " (also trusting the CAs in " + config_.lambda_ca_file + ")");
    // Warn level: the operator must see (and keep) generated credentials at any log level
    // short of "error".
    if (creds.source == LoadedCredentials::Source::Generated)
        spdlog::warn("generated API credentials in {}: access key id {} secret access key {}",
                     (config_.data_dir / "credentials").string(), creds.credentials.access_key_id,
                     creds.credentials.secret_access_key);
    else
        spdlog::info("API access key id {} (from {})", creds.credentials.access_key_id,
                     creds.source == LoadedCredentials::Source::Environment
                         ? "PARLEY_ACCESS_KEY_ID"
                         : (config_.data_dir / "credentials").string());
}

// The Parley Console on the API door: its files, and /console/config.json from what this node
// runs with.
void ParleyServer::start_console() {
    auto& p = *parts_;
    const auto chat_ep = p.chat_listener->local_endpoint();
    ConsoleFacts facts{
        .chat_url = "ws://" + client_host_port(chat_ep),
        .chat_wildcard = chat_ep.address().is_unspecified(),
        .region = config_.region,
        .store = config_.uses_postgresql() ? "postgresql" : "sqlite",
        .bus = config_.bus == "local" ? "local" : "redis",
        .started_ms = model::now_millis(),
    };
    auto dir = config_.console_dir.empty() ? default_console_dir() : config_.console_dir;
    auto site = std::make_shared<control::ConsoleSite>(
        dir, [facts] { return render_console_config(facts, model::now_millis()); });
    const auto api_ep = p.api_listener->local_endpoint();
    if (site->available())
        spdlog::info("console      http://{}/console/", client_host_port(api_ep));
    else
        spdlog::warn(
            "console files not found in {} (build them with make build, or pass --console-dir; "
            "--no-console turns the console off); /console/ answers 503 until they are there",
            dir.string());
    p.router->set_console(std::move(site));
}

// PostgreSQL: connect (a clear error naming host:port when it cannot), migrate, load every
// room, and take the token keys from the database, unwrapped with the master key.
void ParleyServer::open_shared_store() {
    auto& p = *parts_;
    store::PgUrl url;
    try {
        url = store::PgUrl::parse(config_.store);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("--store: ") + e.what());
    }
    // Before connecting: a node without the master key must not get as far as creating keys.
    auto master = load_master_key(config_.master_key_file);
    p.page_token_key = derive_key(master, "parley page tokens v1");
    spdlog::info("store: PostgreSQL {}", url.redacted());
    const unsigned threads =
        config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
    auto pg = store::open_pg_store(url, std::max<std::size_t>(4, 2 * threads));
    p.pg = pg.get();
    p.store = std::move(pg);
    p.sync = std::make_unique<control::RoomSync>(*p.store, p.rooms);
    p.sync->resync_all();
    // CreateChatToken and chat connects read the catalog; a miss may be a room another node
    // created a moment ago, so it is looked up in the store (and cached) before "not found".
    p.rooms.set_loader([sync = p.sync.get()](std::string_view id) { return sync->refresh(id); });
    p.shared_keys = std::make_unique<SharedTokenKeys>(
        p.pg->pool(), master,
        store::TokenKeyPolicy{.rotate_after = std::chrono::hours(config_.token_key_rotation_hours),
                              .activation_delay = std::chrono::seconds(60),
                              .retain = std::chrono::minutes(config_.token_ttl_minutes + 5)});
    p.shared_keys->start();
    p.keys = p.shared_keys->ring();
}

// Applies every node's committed writes to this node's caches, within milliseconds.
void ParleyServer::start_change_feed() {
    auto& p = *parts_;
    store::PgChangeListener::Handlers handlers;
    handlers.changed = [&p, this](std::string_view kind, std::string_view id) {
        if (kind == "room") {
            p.sync->refresh(id);
        } else if (kind == "lc") {
            if (auto lc = p.store->find_logging_configuration(id)) {
                p.chat_logger->configuration_changed(*lc);
            } else {
                p.chat_logger->configuration_deleted(model::logging_configuration_arn(
                    config_.region, config_.account_id, std::string(id)));
            }
        } else if (kind == "keys") {
            p.shared_keys->reload_noexcept();
        }
    };
    handlers.resync = [&p] {
        p.sync->resync_all();
        p.chat_logger->load(p.store->list_logging_configurations());
        p.shared_keys->reload_noexcept();
    };
    handlers.log = [](const std::string& message, bool problem) {
        if (problem) {
            spdlog::warn("{}", message);
        } else {
            spdlog::info("{}", message);
        }
    };
    p.change_listener = std::make_unique<store::PgChangeListener>(p.pg->pool().url(), handlers);
    p.change_listener->start();
    // Ready while the change feed is connected: it pings every 2 s and reconnects with backoff,
    // so /readyz follows the database both ways without any client request.
    p.router->set_store_health(
        [listener = p.change_listener.get()] { return listener->connected(); });
}

// Hourly: rotate the token key when it is older than the rotation period (AES-GCM with random
// nonces should seal well under 2^32 tokens per key), and drop keys whose tokens have expired.
void ParleyServer::schedule_key_maintenance() {
    auto& p = *parts_;
    // A shared store's keys are maintained cluster-wide by SharedTokenKeys.
    if (config_.token_key_rotation_hours == 0 || p.shared_keys) return;
    if (!p.key_timer) p.key_timer = std::make_unique<asio::steady_timer>(p.accept_ctx);
    p.key_timer->expires_after(std::chrono::hours(1));
    p.key_timer->async_wait([this](const boost::system::error_code& ec) {
        if (ec || !parts_) return;
        auto& p = *parts_;
        auto file = config_.data_dir / "token-keys";
        try {
            auto age = std::chrono::system_clock::now().time_since_epoch() -
                       std::chrono::seconds(p.keys->active().created_epoch_s);
            if (age >= std::chrono::hours(config_.token_key_rotation_hours)) {
                auto id = p.keys->rotate(file);
                spdlog::info("token key rotated; new key id {}", id);
            }
            auto dropped = p.keys->prune(file, std::chrono::minutes(config_.token_ttl_minutes + 5));
            if (dropped) spdlog::info("dropped {} retired token keys", dropped);
        } catch (const std::exception& e) {
            spdlog::error("token key maintenance failed: {}", e.what());
        }
        schedule_key_maintenance();
    });
}

// ---- TLS (issue 11) ---------------------------------------------------------------------------

void ParleyServer::load_tls() {
    auto& p = *parts_;
    if (!config_.api_tls_cert.empty())
        p.api_tls = std::make_shared<messaging::ServerTlsContext>(config_.api_tls_cert,
                                                                  config_.api_tls_key);
    if (config_.chat_tls_cert.empty()) return;
    if (p.api_tls && config_.chat_tls_cert == config_.api_tls_cert &&
        config_.chat_tls_key == config_.api_tls_key)
        p.chat_tls = p.api_tls;
    else
        p.chat_tls = std::make_shared<messaging::ServerTlsContext>(config_.chat_tls_cert,
                                                                   config_.chat_tls_key);
}

// New connections get the new certificate; open ones keep theirs. A bad file is logged and the
// certificate in use stays.
void ParleyServer::reload_tls(bool only_if_changed) {
    if (!parts_) return;
    auto& p = *parts_;
    for (auto [tls, door] : {std::pair{p.api_tls.get(), "API"}, {p.chat_tls.get(), "chat"}}) {
        if (!tls || (door == std::string_view("chat") && p.chat_tls == p.api_tls)) continue;
        std::string error;
        bool reloaded = false;
        if (only_if_changed) {
            reloaded = tls->reload_if_changed(error);
        } else {
            error = tls->reload();
            reloaded = error.empty();
        }
        if (reloaded)
            spdlog::info("{} door TLS certificate reloaded from {}", door,
                         tls->cert_file().string());
        else if (!error.empty())
            spdlog::error(
                "{} door TLS certificate not reloaded, still serving the previous one: {}", door,
                error);
    }
}

void ParleyServer::watch_tls_files() {
    auto& p = *parts_;
    if (!p.api_tls && !p.chat_tls) return;
    if (!p.tls_watch_timer) p.tls_watch_timer = std::make_unique<asio::steady_timer>(p.accept_ctx);
    p.tls_watch_timer->expires_after(std::chrono::seconds(2));
    p.tls_watch_timer->async_wait([this](const boost::system::error_code& ec) {
        if (ec || !parts_) return;
        reload_tls(true);
        watch_tls_files();
    });
}

void ParleyServer::run_until_signalled() {
    asio::io_context signals_ctx(1);
    asio::signal_set signals(signals_ctx, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                // On the accept thread, beside the file watcher: reloads never run concurrently.
                if (parts_)
                    asio::post(parts_->accept_ctx, [this] {
                        spdlog::info("received SIGHUP, reloading TLS certificates");
                        reload_tls(false);
                    });
                return signals.async_wait(on_signal);
            }
            spdlog::info("received signal {}, stopping", sig);
        };
    signals.async_wait(on_signal);
    signals_ctx.run();
    stop();
}

void ParleyServer::stop() {
    if (!parts_) return;
    auto& p = *parts_;
    if (p.router) p.router->set_ready(false);
    // First: its thread touches the catalog, the hub and the chat logger.
    if (p.change_listener) p.change_listener->stop();
    if (p.shared_keys) p.shared_keys->stop();
    if (p.api_listener) asio::post(p.accept_ctx, [l = p.api_listener] { l->stop(); });
    // On its loop (0), before the hub's closes are queued there behind it. A raw pointer: a
    // handler that never runs must not keep the listener (and its loop-0 timer) alive past the
    // loops; it is freed below, before them.
    if (p.chat_listener && p.loops)
        asio::post(p.loops->loop(0), [l = p.chat_listener.get()] { l->stop(); });
    if (p.key_timer) asio::post(p.accept_ctx, [t = p.key_timer.get()] { t->cancel(); });
    if (p.tls_watch_timer) asio::post(p.accept_ctx, [t = p.tls_watch_timer.get()] { t->cancel(); });
    if (p.trimmer) asio::post(p.accept_ctx, [t = p.trimmer.get()] { t->stop(); });
    // Clients see a proper close (1001 going away) rather than a dropped socket. Only once the
    // loops run: after a failed start nothing would run the closes, and each wait would time out.
    if (p.hub && p.loops && p.loops->running()) p.hub->shutdown(1001, "Server shutting down");
    p.accept_ctx.stop();
    if (p.accept_thread.joinable()) p.accept_thread.join();
    // The posted closes above may not have run before the accept context stopped. With its
    // thread gone, close the doors here and run the cancelled accepts to completion: a pending
    // accept owns a socket of an event loop and must not outlive the loops.
    if (p.api_listener) p.api_listener->stop();
    if (p.key_timer) p.key_timer->cancel();
    if (p.tls_watch_timer) p.tls_watch_timer->cancel();
    if (p.trimmer) p.trimmer->stop();
    p.accept_ctx.restart();
    p.accept_ctx.poll();
    if (p.loops) p.loops->stop();
    // With loop 0's thread gone (the posted stop may not have run if the loops never did).
    if (p.chat_listener) p.chat_listener->stop();
    // After the loops have stopped nothing publishes any more: everything, including deliveries
    // that raced the shutdown, is written (and fsync'd) now.
    if (p.chat_logger) p.chat_logger->stop();
    // Then the uploaders: a request in flight completes, the spool keeps everything else.
    if (p.chat_log_delivery) p.chat_log_delivery->stop();
    if (p.history_log) p.history_log->flush();
    // Teardown order: first what holds sockets and timers of the loops (the reviewer's idle
    // connections, the hub's sessions and tick timers), then the loops themselves, whose pending
    // handlers still own sessions; those sessions count themselves out of edge_metrics, which
    // must therefore still exist.
    p.reviewer.reset();
    p.bus.reset();              // frees the Redis links; the loops have stopped
    p.shared_presence.reset();  // after the links, whose pending requests answer into it
    p.shared_history.reset();
    p.chat_listener.reset();  // its timer and listening socket belong to loop 0
    p.hub.reset();
    p.loops.reset();
    parts_.reset();
    if (std::exchange(started_, false)) spdlog::info("parleyd stopped");
}

}  // namespace parley::server
