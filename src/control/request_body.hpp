#pragma once
// The body of a control-plane request, read into a std::string that grows with the bytes that
// arrive. Beast's string_body reserves the announced Content-Length at once, so a client that
// announced 1 MiB and sent nothing would make its connection hold 1 MiB before it could be
// authenticated (SigV4 covers the body, so the whole body is read first).
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <string>

namespace parley::control {

struct GrowingStringBody {
    using value_type = std::string;

    static std::uint64_t size(const value_type& body) { return body.size(); }

    // The parser enforces the body limit; this only appends.
    class reader {
      public:
        template <bool isRequest, class Fields>
        reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            std::size_t n = 0;
            for (auto it = boost::asio::buffer_sequence_begin(buffers);
                 it != boost::asio::buffer_sequence_end(buffers); ++it) {
                boost::asio::const_buffer b = *it;
                body_.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            ec = {};
            return n;
        }

        void finish(boost::beast::error_code& ec) { ec = {}; }

      private:
        value_type& body_;
    };
};

}  // namespace parley::control
