#pragma once
// Wires every layer into one running server: store, catalog, keys, both doors, event loops.
#include <boost/asio/io_context.hpp>
#include <memory>

#include "server/server_config.hpp"

namespace parley::server {

class ParleyServer {
  public:
    explicit ParleyServer(ServerConfig config);
    ~ParleyServer();
    // Opens state, binds both doors and starts serving; throws with a clear message on failure.
    void start();
    // Blocks until SIGINT/SIGTERM, then stops cleanly.
    void run_until_signalled();
    void stop();

  private:
    void start_history();  // message history (docs/extensions.md)
    struct Parts;
    void schedule_key_maintenance();
    void open_shared_store();
    void start_change_feed();
    void start_console();
    void load_tls();
    void reload_tls(bool only_if_changed);
    void watch_tls_files();
    ServerConfig config_;
    std::unique_ptr<Parts> parts_;
    bool started_ = false;  // start() completed: stop() then reports "parleyd stopped"
};

}  // namespace parley::server
