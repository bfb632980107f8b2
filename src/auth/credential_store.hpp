#pragma once
// The access keys the control plane accepts. Loaded at start-up, then read by every request
// thread, so lookups take a shared lock.
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::auth {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
};

class CredentialStore {
  public:
    // Adds or replaces the secret of c.access_key_id.
    void add(Credentials c);
    std::optional<std::string> secret_for(std::string_view access_key_id) const;
    std::size_t size() const;

  private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::string> secrets_;
};

}  // namespace parley::auth
