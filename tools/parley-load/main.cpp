// parley-load: Parley's own load generator (fan-out, idle memory, token
// minting). Every run is bounded in time and count and only ever targets
// loopback addresses.
#include <exception>
#include <iostream>

#include "load_options.hpp"
#include "scenarios.hpp"

int main(int argc, char** argv) {
    using namespace parley::load;
    auto parsed = parse_options(argc, argv);
    if (parsed.help) {
        std::cout << usage();
        return 0;
    }
    if (!parsed.options) {
        std::cerr << "parley-load: " << parsed.error << " (see parley-load --help)\n";
        return 2;
    }
    const auto& o = *parsed.options;
    try {
        if (o.command == "fanout") return run_fanout(o);
        if (o.command == "idle") return run_idle(o);
        if (o.command == "joins") return run_joins(o);
        if (o.command == "tokens" || o.command == "rooms") return run_tokens(o);
        return run_wrk_script(o);
    } catch (const std::exception& e) {
        std::cerr << "parley-load: " << e.what() << "\n";
        return 1;
    }
}
