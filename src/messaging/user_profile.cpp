#include "messaging/user_profile.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace parley::messaging {

UserProfilePtr UserProfile::make(std::string_view user_id, model::Attributes attributes) {
    if (user_id.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("user id too long");
    model::Attributes* attrs =
        attributes.empty() ? nullptr : new model::Attributes(std::move(attributes));
    void* mem = nullptr;
    try {
        mem = ::operator new(sizeof(UserProfile) + user_id.size());
    } catch (...) {
        delete attrs;
        throw;
    }
    auto* p = new (mem) UserProfile(static_cast<std::uint32_t>(user_id.size()), attrs);
    if (!user_id.empty())
        std::memcpy(reinterpret_cast<char*>(p + 1), user_id.data(), user_id.size());
    return UserProfilePtr(p);
}

const model::Attributes& UserProfile::attributes() const {
    static const model::Attributes kNone;
    return attributes_ ? *attributes_ : kNone;
}

UserProfile::~UserProfile() {
    delete attributes_;
}

void UserProfile::release(const UserProfile* p) {
    if (p->refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    auto* q = const_cast<UserProfile*>(p);
    q->~UserProfile();
    ::operator delete(q);
}

}  // namespace parley::messaging
