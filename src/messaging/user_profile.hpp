#pragma once
// Who a chat connection is, as its token said: the user id and the user's attributes,
// immutable once made. One allocation holds the reference count, the id's bytes and (only when
// the token had any) a pointer to the attributes, so a connection with no attributes costs
// ~40 bytes here. The session and the room's presence share it: presence keeps a user's first
// connection's profile instead of copying its id and attributes (docs/performance.md, idle
// memory). The count is atomic: the profile is released by whichever thread drops it last.
#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>

#include "model/resources.hpp"

namespace parley::messaging {

class UserProfilePtr;

class UserProfile {
  public:
    static UserProfilePtr make(std::string_view user_id, model::Attributes attributes);

    std::string_view user_id() const { return {id_bytes(), id_size_}; }
    // An empty map (shared, static) when the token had no attributes.
    const model::Attributes& attributes() const;

    UserProfile(const UserProfile&) = delete;
    UserProfile& operator=(const UserProfile&) = delete;

  private:
    friend class UserProfilePtr;
    UserProfile(std::uint32_t id_size, model::Attributes* attributes)
        : id_size_(id_size), attributes_(attributes) {}
    ~UserProfile();
    const char* id_bytes() const { return reinterpret_cast<const char*>(this + 1); }
    static void release(const UserProfile* p);

    mutable std::atomic<std::uint32_t> refs_{1};
    std::uint32_t id_size_;
    model::Attributes* attributes_;  // owned; null: none
    // followed by the id's id_size_ bytes in the same allocation
};

// A counted reference to a UserProfile (like std::shared_ptr, in 8 bytes).
class UserProfilePtr {
  public:
    UserProfilePtr() = default;
    UserProfilePtr(const UserProfilePtr& o) : p_(o.p_) {
        if (p_) p_->refs_.fetch_add(1, std::memory_order_relaxed);
    }
    UserProfilePtr(UserProfilePtr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    UserProfilePtr& operator=(UserProfilePtr o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~UserProfilePtr() {
        if (p_) UserProfile::release(p_);
    }
    const UserProfile* get() const { return p_; }
    const UserProfile& operator*() const { return *p_; }
    const UserProfile* operator->() const { return p_; }
    explicit operator bool() const { return p_ != nullptr; }

  private:
    friend class UserProfile;
    explicit UserProfilePtr(const UserProfile* p) : p_(p) {}
    const UserProfile* p_ = nullptr;
};

}  // namespace parley::messaging
