#pragma once
// Signed calls to the control API for setting up and tearing down a load run:
// create and delete rooms, mint chat tokens in parallel. Blocking, each batch
// bounded by a timeout; runs on its own io_context so it never shares a loop
// with the measured traffic.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http_connection.hpp"
#include "loopback_endpoint.hpp"
#include "request_signer.hpp"

namespace parley::load {

// The complete signed HTTP/1.1 request for POST `path` with a JSON body, signed
// now.
std::string signed_post(RequestSigner& signer, const Endpoint& api, std::string_view path,
                        std::string_view body);

class ControlClient {
  public:
    ControlClient(Endpoint api, RequestSigner signer, boost::asio::ip::address_v4 source);

    std::string signed_request(std::string_view path, std::string_view body) {
        return signed_post(signer_, api_, path, body);
    }

    // Each throws std::runtime_error with the server's answer when the call
    // fails.
    std::string create_room(const std::string& name,
                            int max_message_rate);  // the room ARN
    void delete_room(const std::string& arn);
    // Tokens for users "<prefix><first>" .. "<prefix><first+count-1>",
    // SEND_MESSAGE allowed.
    std::vector<std::string> mint_tokens(const std::string& room_arn, const std::string& prefix,
                                         std::size_t first, std::size_t count,
                                         std::size_t concurrency);

    static std::string token_request_body(const std::string& room_arn, const std::string& user_id);

  private:
    std::vector<HttpResponse> run_batch(const std::vector<std::string>& wires,
                                        std::size_t concurrency, std::chrono::seconds timeout);

    boost::asio::io_context io_;
    Endpoint api_;
    RequestSigner signer_;
    boost::asio::ip::address_v4 source_;
};

}  // namespace parley::load
