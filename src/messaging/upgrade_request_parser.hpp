#pragma once
// Beast's HTTP parser for a WebSocket upgrade that keeps only what the upgrade needs: the
// method, the target and the first value of five fields. Beast's request_parser stores every
// field in an ordered set of allocated nodes, about 2,000 instructions of a ~30,000-instruction
// upgrade (callgrind, docs/performance.md p) for fields nobody reads. Parsing and validation
// (limits, syntax, Content-Length / chunked framing) are Beast's own, unchanged.
#include <boost/beast/http/basic_parser.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::messaging {

class UpgradeRequestParser : public boost::beast::http::basic_parser<true> {
  public:
    enum Field { Upgrade, Connection, Version, Key, Protocol, kFields };

    boost::beast::http::verb method() const { return method_; }
    std::string_view target() const { return target_; }
    // The first value of the field's name in the request ("" when absent), as a fields
    // container's operator[] gives.
    std::string_view operator[](Field f) const {
        const Slice& s = slices_[f];
        return std::string_view(values_).substr(s.offset, s.size);
    }

  private:
    using error_code = boost::system::error_code;
    using string_view = boost::beast::string_view;

    void on_request_impl(boost::beast::http::verb method, string_view method_str,
                         string_view target, int version, error_code& ec) override;
    void on_response_impl(int, string_view, int, error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(string_view, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view, error_code& ec) override;
    void on_finish_impl(error_code&) override {}

    struct Slice {
        std::uint32_t offset = 0, size = 0;
    };
    boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
    std::string target_;
    std::string values_;  // the kept values, one after another (views would dangle: Beast's
                          // are valid only during the call)
    std::array<Slice, kFields> slices_{};
    unsigned seen_ = 0;  // bit f: field f was seen
};

}  // namespace parley::messaging
