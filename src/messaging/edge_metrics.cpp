#include "messaging/edge_metrics.hpp"

namespace parley::messaging {

namespace {
void line(std::string& out, const char* name, const char* type, const char* help, std::int64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(v) + "\n";
}
}  // namespace

std::string EdgeMetrics::render() const {
    std::string out;
    line(out, "parley_chat_connections", "gauge", "Open chat connections.", connections_open.load());
    line(out, "parley_chat_connections_accepted_total", "counter", "Chat handshakes accepted.",
         static_cast<std::int64_t>(connections_accepted.load()));
    line(out, "parley_chat_handshakes_rejected_total", "counter", "Chat handshakes refused.",
         static_cast<std::int64_t>(handshakes_rejected.load()));
    line(out, "parley_chat_requests_total", "counter", "Client requests (actions) received.",
         static_cast<std::int64_t>(messages_received.load()));
    line(out, "parley_chat_broadcasts_total", "counter", "MESSAGE and EVENT frames built.",
         static_cast<std::int64_t>(messages_broadcast.load()));
    line(out, "parley_chat_deliveries_total", "counter", "Frames queued to receivers.",
         static_cast<std::int64_t>(frames_delivered.load()));
    line(out, "parley_chat_errors_total", "counter", "ERROR frames sent.",
         static_cast<std::int64_t>(errors_sent.load()));
    line(out, "parley_chat_slow_consumers_disconnected_total", "counter",
         "Connections closed because their send queue exceeded the limit.",
         static_cast<std::int64_t>(slow_consumers_disconnected.load()));
    line(out, "parley_chat_protocol_errors_total", "counter", "Connections closed for protocol errors.",
         static_cast<std::int64_t>(protocol_errors.load()));
    return out;
}

}  // namespace parley::messaging
