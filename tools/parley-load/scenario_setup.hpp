#pragma once
// What every scenario needs before it starts: checked loopback endpoints,
// source addresses, credentials, the open-file limit raised, and the server
// process to watch (if given).
#include <boost/asio/ip/address_v4.hpp>
#include <optional>
#include <string>
#include <vector>

#include "load_options.hpp"
#include "loopback_endpoint.hpp"
#include "request_signer.hpp"

namespace parley::load {

struct ScenarioSetup {
    Endpoint api;
    Endpoint chat;
    std::vector<boost::asio::ip::address_v4> sources;
    Credentials credentials;
    std::uint64_t open_file_limit = 0;  // this process, after raising it
};

std::optional<ScenarioSetup> prepare_scenario(const LoadOptions& o, std::string& error);

// Warns on stderr when --server-pid's open-file limit is below what the run
// needs.
void check_server_file_limit(int server_pid, std::uint64_t needed);

// A short random hex string, so room names and user ids of concurrent runs do
// not collide.
std::string run_id();

// "12.3" with one decimal, "12.34" with two; for tables.
std::string fixed1(double v);
std::string fixed2(double v);

}  // namespace parley::load
