#pragma once
// The TLS server settings of one door (--tls-cert/--tls-key or the per-door flags): TLS 1.2 or
// newer, ALPN http/1.1, OpenSSL buffers released while a connection is idle. Reloadable: each
// new connection takes the context current when it is accepted and keeps it for life, so a
// reload never touches connections already open.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace parley::messaging {

class ServerTlsContext {
  public:
    // Loads the PEM certificate chain and private key; throws std::invalid_argument naming the
    // file and OpenSSL's reason when either cannot be used (or they do not match).
    ServerTlsContext(std::filesystem::path cert_file, std::filesystem::path key_file);

    // The context new connections use.
    std::shared_ptr<boost::asio::ssl::context> current() const;

    // Loads the files again; on failure the old context stays and the reason is returned.
    // Returns an empty string on success.
    std::string reload();
    // Reloads when either file's modification time or size changed since the last load
    // (polled: certbot and Kubernetes swap files by rename or symlink). True when reloaded.
    bool reload_if_changed(std::string& error);

    const std::filesystem::path& cert_file() const { return cert_file_; }
    const std::filesystem::path& key_file() const { return key_file_; }

  private:
    std::shared_ptr<boost::asio::ssl::context> load() const;
    std::string fingerprint() const;

    std::filesystem::path cert_file_;
    std::filesystem::path key_file_;
    mutable std::mutex mutex_;
    std::shared_ptr<boost::asio::ssl::context> current_;
    std::string loaded_fingerprint_;  // what reload_if_changed compares against
};

using ServerTlsContextPtr = std::shared_ptr<ServerTlsContext>;

}  // namespace parley::messaging
