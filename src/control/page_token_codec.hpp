#pragma once
// Opaque, tamper-proof nextToken values for the List operations: a cursor (the last item's
// sort key) plus a fingerprint of the request's filters, authenticated with HMAC-SHA256.
#include <optional>
#include <string>
#include <string_view>

namespace parley::control {

struct PageCursor {
    std::int64_t update_time = 0;
    std::string id;
};

class PageTokenCodec {
  public:
    PageTokenCodec();  // random key: tokens are valid for the life of the process
    // A given key: every node of a cluster derives the same one, so a nextToken issued by one
    // node is honoured by every other (a load balancer may send each page elsewhere).
    explicit PageTokenCodec(std::string key) : key_(std::move(key)) {}
    std::string encode(const PageCursor& cursor, std::string_view filters) const;
    // nullopt when the token was altered, or was issued for other filters.
    std::optional<PageCursor> decode(std::string_view token, std::string_view filters) const;

  private:
    std::string mac(std::string_view data) const;
    std::string key_;
};

}  // namespace parley::control
