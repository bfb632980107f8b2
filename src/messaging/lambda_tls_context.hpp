#pragma once
// The TLS client settings shared by every https:// connection to the Lambda endpoint: peer
// certificates are always verified, against the system trust store (Debian: ca-certificates)
// plus an optional extra PEM bundle for private endpoints (--lambda-ca-file).
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace parley::messaging {

// TLS 1.2 or newer, verify_peer. A ca_file that cannot be read or holds no certificate throws
// std::invalid_argument naming it, so a typo stops the server at start-up.
std::shared_ptr<boost::asio::ssl::context> make_lambda_tls_context(const std::string& ca_file);

}  // namespace parley::messaging
