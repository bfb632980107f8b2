#include "auth/credential_store.hpp"

#include <mutex>

namespace parley::auth {

void CredentialStore::add(Credentials c) {
    std::unique_lock lock(mutex_);
    secrets_.insert_or_assign(std::move(c.access_key_id), std::move(c.secret_access_key));
}

std::optional<std::string> CredentialStore::secret_for(std::string_view access_key_id) const {
    std::shared_lock lock(mutex_);
    auto it = secrets_.find(std::string(access_key_id));
    if (it == secrets_.end()) return std::nullopt;
    return it->second;
}

std::size_t CredentialStore::size() const {
    std::shared_lock lock(mutex_);
    return secrets_.size();
}

}  // namespace parley::auth
