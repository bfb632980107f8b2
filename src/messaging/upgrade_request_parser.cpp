#include "messaging/upgrade_request_parser.hpp"

#include <boost/beast/http/error.hpp>

namespace parley::messaging {

namespace http = boost::beast::http;

namespace {
int index_of(http::field f) {
    switch (f) {
        case http::field::upgrade:
            return UpgradeRequestParser::Upgrade;
        case http::field::connection:
            return UpgradeRequestParser::Connection;
        case http::field::sec_websocket_version:
            return UpgradeRequestParser::Version;
        case http::field::sec_websocket_key:
            return UpgradeRequestParser::Key;
        case http::field::sec_websocket_protocol:
            return UpgradeRequestParser::Protocol;
        default:
            return -1;
    }
}
}  // namespace

void UpgradeRequestParser::on_request_impl(http::verb method, string_view, string_view target, int,
                                           error_code&) {
    method_ = method;
    target_.assign(target.data(), target.size());
    // A chat token and a key: one allocation holds a typical upgrade's kept values.
    values_.reserve(512);
}

void UpgradeRequestParser::on_response_impl(int, string_view, int, error_code& ec) {
    ec = http::error::bad_method;  // a request parser never sees a status line
}

void UpgradeRequestParser::on_field_impl(http::field name, string_view, string_view value,
                                         error_code&) {
    const int i = index_of(name);
    if (i < 0 || (seen_ & (1u << i)) != 0) return;
    seen_ |= 1u << i;
    // The header is at most kMaxUpgradeBytes (the parser's header limit): sizes fit 32 bits.
    slices_[static_cast<std::size_t>(i)] =
        Slice{.offset = static_cast<std::uint32_t>(values_.size()),
              .size = static_cast<std::uint32_t>(value.size())};
    values_.append(value.data(), value.size());
}

// The upgrade is read header-only; a body is never parsed, and would be refused like
// Beast's empty_body does.
std::size_t UpgradeRequestParser::on_body_impl(string_view, error_code& ec) {
    ec = http::error::unexpected_body;
    return 0;
}

std::size_t UpgradeRequestParser::on_chunk_body_impl(std::uint64_t, string_view, error_code& ec) {
    ec = http::error::unexpected_body;
    return 0;
}

}  // namespace parley::messaging
