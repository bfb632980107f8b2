#include "chatlog/chat_log_metrics.hpp"

namespace parley::chatlog {

namespace {
void family(std::string& out, const char* name, const char* help,
            const ChatLogMetrics::Counters& counters) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    for (std::size_t i = 0; i < kDestinationTypes; ++i) {
        out += name;
        out += "{destination=\"";
        out += type_name(static_cast<DestinationType>(i));
        out += "\"} ";
        out += std::to_string(counters[i].load(std::memory_order_relaxed));
        out += '\n';
    }
}
}  // namespace

std::string ChatLogMetrics::render() const {
    std::string out;
    family(out, "parley_chatlog_records_written_total",
           "Chat log records written and fsync'd, by destination type.", written);
    family(out, "parley_chatlog_records_dropped_total",
           "Chat log records dropped because the writer queue was full, by destination type.",
           dropped);
    family(out, "parley_chatlog_records_failed_total",
           "Chat log records lost to write errors, by destination type.", failed);
    out +=
        "# HELP parley_chatlog_queued_records Chat log records waiting for the writer.\n"
        "# TYPE parley_chatlog_queued_records gauge\nparley_chatlog_queued_records " +
        std::to_string(queued.load(std::memory_order_relaxed)) + "\n";
    return out;
}

}  // namespace parley::chatlog
