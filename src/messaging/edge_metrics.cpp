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
    line(out, "parley_chat_connections", "gauge", "Open chat connections.",
         connections_open.load());
    line(out, "parley_chat_pending_connections", "gauge",
         "Chat connections not upgraded yet (handshake, or a refusal being sent).",
         connections_pending.load());
    line(out, "parley_chat_connections_accepted_total", "counter", "Chat handshakes accepted.",
         static_cast<std::int64_t>(connections_accepted.load()));
    line(out, "parley_chat_handshakes_rejected_total", "counter", "Chat handshakes refused.",
         static_cast<std::int64_t>(handshakes_rejected.load()));
    line(out, "parley_chat_tls_handshakes_failed_total", "counter",
         "wss:// connections closed before their TLS handshake completed.",
         static_cast<std::int64_t>(tls_handshakes_failed.load()));
    line(out, "parley_chat_requests_total", "counter", "Client requests (actions) received.",
         static_cast<std::int64_t>(messages_received.load()));
    line(out, "parley_chat_broadcasts_total", "counter", "MESSAGE and EVENT frames built.",
         static_cast<std::int64_t>(messages_broadcast.load()));
    line(out, "parley_chat_frames_from_bus_total", "counter",
         "MESSAGE and EVENT frames received from other nodes.",
         static_cast<std::int64_t>(messages_from_bus.load()));
    line(out, "parley_chat_bus_failures_total", "counter",
         "Publishes refused because the cluster bus was unavailable (answered with ERROR 500).",
         static_cast<std::int64_t>(bus_failures.load()));
    line(out, "parley_chat_deliveries_total", "counter", "Frames queued to receivers.",
         static_cast<std::int64_t>(frames_delivered.load()));
    line(out, "parley_chat_errors_total", "counter", "ERROR frames sent.",
         static_cast<std::int64_t>(errors_sent.load()));
    line(out, "parley_chat_connections_moved_total", "counter",
         "Connections moved to their room's event loop after the handshake (--room-affinity).",
         static_cast<std::int64_t>(connections_moved.load()));
    line(out, "parley_chat_slow_consumers_disconnected_total", "counter",
         "Connections closed because their send queue exceeded the limit.",
         static_cast<std::int64_t>(slow_consumers_disconnected.load()));
    line(out, "parley_chat_protocol_errors_total", "counter",
         "Connections closed for protocol errors.",
         static_cast<std::int64_t>(protocol_errors.load()));
    line(out, "parley_chat_reviews_total", "counter", "Messages sent to a message review handler.",
         static_cast<std::int64_t>(reviews.load()));
    line(out, "parley_chat_reviews_allowed_total", "counter",
         "Reviews the handler answered with ALLOW.",
         static_cast<std::int64_t>(reviews_allowed.load()));
    line(out, "parley_chat_reviews_denied_total", "counter",
         "Reviews the handler answered with DENY.",
         static_cast<std::int64_t>(reviews_denied.load()));
    line(out, "parley_chat_reviews_fallback_total", "counter",
         "Reviews decided by the room's fallbackResult.",
         static_cast<std::int64_t>(reviews_fallback.load()));
    line(out, "parley_chat_review_errors_total", "counter",
         "Reviews that failed: HTTP, connection or function error, or an invalid answer.",
         static_cast<std::int64_t>(review_errors.load()));
    line(out, "parley_chat_review_timeouts_total", "counter",
         "Reviews without an answer within 200 ms.",
         static_cast<std::int64_t>(review_timeouts.load()));
    return out;
}

}  // namespace parley::messaging
