#include "chatlog/destination_metrics.hpp"

namespace parley::chatlog {

namespace {
std::string label_value(const std::string& s) {  // Prometheus text format escaping
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '"')
            out += '\\', out += c;
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}
}  // namespace

DestinationCounts& DestinationMetrics::at(DestinationType t, const std::string& name) {
    return counts_[{static_cast<int>(t), name}];
}

void DestinationMetrics::spooled(DestinationType t, const std::string& name, std::uint64_t records,
                                 std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    auto& c = at(t, name);
    c.queued_records += static_cast<std::int64_t>(records);
    c.spool_bytes += static_cast<std::int64_t>(bytes);
}

void DestinationMetrics::unspooled(DestinationType t, const std::string& name,
                                   std::uint64_t records, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    auto& c = at(t, name);
    c.queued_records -= static_cast<std::int64_t>(records);
    c.spool_bytes -= static_cast<std::int64_t>(bytes);
}

void DestinationMetrics::uploaded(DestinationType t, const std::string& name,
                                  std::uint64_t records) {
    std::lock_guard lock(mutex_);
    at(t, name).uploaded += records;
}

void DestinationMetrics::failed(DestinationType t, const std::string& name, std::uint64_t records) {
    std::lock_guard lock(mutex_);
    at(t, name).failed += records;
}

void DestinationMetrics::dropped(DestinationType t, const std::string& name,
                                 std::uint64_t records) {
    std::lock_guard lock(mutex_);
    at(t, name).dropped += records;
}

DestinationCounts DestinationMetrics::get(DestinationType t, const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = counts_.find({static_cast<int>(t), name});
    return it == counts_.end() ? DestinationCounts{} : it->second;
}

std::string DestinationMetrics::render() const {
    std::lock_guard lock(mutex_);
    struct Family {
        const char* name;
        const char* type;
        const char* help;
        std::string (*value)(const DestinationCounts&);
    };
    static const Family kFamilies[] = {
        {"parley_chatlog_destination_queued_records", "gauge",
         "Chat log records spooled on disk, waiting for upload, by destination.",
         [](const DestinationCounts& c) { return std::to_string(c.queued_records); }},
        {"parley_chatlog_destination_spool_bytes", "gauge",
         "Bytes of spool files waiting for upload, by destination.",
         [](const DestinationCounts& c) { return std::to_string(c.spool_bytes); }},
        {"parley_chatlog_destination_uploaded_total", "counter",
         "Chat log records the destination acknowledged with a 2xx.",
         [](const DestinationCounts& c) { return std::to_string(c.uploaded); }},
        {"parley_chatlog_destination_failed_total", "counter",
         "Chat log records in failed upload attempts (retried; each attempt counts).",
         [](const DestinationCounts& c) { return std::to_string(c.failed); }},
        {"parley_chatlog_destination_dropped_total", "counter",
         "Chat log records removed from the spool unsent (--chatlog-spool-max-bytes).",
         [](const DestinationCounts& c) { return std::to_string(c.dropped); }},
    };
    std::string out;
    for (const auto& f : kFamilies) {
        out += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " +
               f.type + "\n";
        for (const auto& [key, c] : counts_) {
            out += f.name;
            out += "{type=\"";
            out += type_name(static_cast<DestinationType>(key.first));
            out += "\",destination=\"" + label_value(key.second) + "\"} " + f.value(c) + "\n";
        }
    }
    return out;
}

}  // namespace parley::chatlog
