#pragma once
// The TLS client settings shared by every https:// connection to the Lambda endpoint (see
// net/tls_client_context.hpp): verified peers, system trust store plus --lambda-ca-file.
#include <memory>
#include <string>

#include "net/tls_client_context.hpp"

namespace parley::messaging {

inline std::shared_ptr<boost::asio::ssl::context> make_lambda_tls_context(
    const std::string& ca_file) {
    return net::make_tls_client_context(ca_file, "--lambda-ca-file");
}

}  // namespace parley::messaging
