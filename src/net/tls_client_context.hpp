#pragma once
// The TLS client settings shared by every https:// connection of one client (the Lambda review
// client, the chat log uploaders): peer certificates are always verified, against the system
// trust store (Debian: ca-certificates) plus an optional extra PEM bundle for private endpoints.
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace parley::net {

// TLS 1.2 or newer, verify_peer. A ca_file that cannot be read or holds no certificate throws
// std::invalid_argument naming it (as `option` ca_file), so a typo stops the server at start-up.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(const std::string& ca_file,
                                                                   std::string_view option);

}  // namespace parley::net
