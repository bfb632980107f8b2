#include "chatlog/log_spool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "auth/canonical_request.hpp"
#include "chatlog/durable_file.hpp"
#include "chatlog/gzip_codec.hpp"
#include "chatlog/log_object_layout.hpp"

namespace parley::chatlog {

namespace fs = std::filesystem;

namespace {
std::uint64_t epoch_micros() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

std::string sequence_text(std::uint64_t seq) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(seq));
    return buf;
}

std::optional<DestinationType> type_of_directory(const std::string& name) {
    for (std::size_t i = 0; i < kDestinationTypes; ++i)
        if (type_name(static_cast<DestinationType>(i)) == name)
            return static_cast<DestinationType>(i);
    return std::nullopt;
}
}  // namespace

std::uint64_t count_spooled_records(DestinationType type, std::string_view data) {
    std::string plain;
    if (type == DestinationType::S3) {
        auto text = gzip_decompress(data);
        if (!text) return 0;
        plain = std::move(*text);
        data = plain;
    }
    return static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
}

LogSpool::LogSpool(fs::path directory, std::uint64_t max_bytes, DestinationMetrics& metrics)
    : directory_(std::move(directory)), max_bytes_(max_bytes), metrics_(metrics) {}

std::size_t LogSpool::scan() {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    if (!fs::is_directory(directory_, ec)) return 0;
    for (auto type_it = fs::directory_iterator(directory_, ec);
         !ec && type_it != fs::directory_iterator(); type_it.increment(ec)) {
        auto type = type_of_directory(type_it->path().filename().string());
        if (!type || !type_it->is_directory()) continue;
        std::error_code ec2;
        for (auto dest_it = fs::directory_iterator(type_it->path(), ec2);
             !ec2 && dest_it != fs::directory_iterator(); dest_it.increment(ec2)) {
            if (!dest_it->is_directory()) continue;
            const std::string destination =
                auth::percent_decode(dest_it->path().filename().string());
            std::error_code ec3;
            for (auto f = fs::directory_iterator(dest_it->path(), ec3);
                 !ec3 && f != fs::directory_iterator(); f.increment(ec3)) {
                const std::string name = f->path().filename().string();
                if (name.find(".tmp-") != std::string::npos) {  // a write cut short by a crash
                    fs::remove(f->path(), ec);
                    continue;
                }
                auto dot = name.find('.');
                if (dot != 20 || name.find_first_not_of("0123456789") != 20) continue;
                SpoolEntry e;
                e.type = *type;
                e.destination = destination;
                e.sequence = std::stoull(name.substr(0, dot));
                e.stream = auth::percent_decode(name.substr(dot + 1));
                e.path = f->path();
                std::ifstream in(e.path, std::ios::binary);
                std::stringstream ss;
                ss << in.rdbuf();
                const std::string data = ss.str();
                e.bytes = data.size();
                e.records = count_spooled_records(e.type, data);
                bytes_ += e.bytes;
                next_sequence_ = std::max(next_sequence_, e.sequence + 1);
                metrics_.spooled(e.type, e.destination, e.records, e.bytes);
                entries_.emplace(e.sequence, std::move(e));
            }
        }
    }
    return entries_.size();
}

std::string LogSpool::add(DestinationType type, const std::string& destination,
                          const std::string& stream, std::uint64_t records, std::string_view data) {
    SpoolEntry e;
    {
        std::lock_guard lock(mutex_);
        e.sequence = std::max(next_sequence_, epoch_micros());
        next_sequence_ = e.sequence + 1;
    }
    e.type = type;
    e.destination = destination;
    e.stream = stream;
    e.records = records;
    e.bytes = data.size();
    e.path = directory_ / std::string(type_name(type)) / path_component(destination) /
             (sequence_text(e.sequence) + "." + path_component(stream.empty() ? "-" : stream));
    if (auto error = write_atomically(e.path, data); !error.empty()) return error;
    {
        std::lock_guard lock(mutex_);
        bytes_ += e.bytes;
        metrics_.spooled(type, destination, records, e.bytes);
        const auto seq = e.sequence;
        entries_.emplace(seq, std::move(e));
        enforce_bound_locked(seq);
        ++generation_;
    }
    added_.notify_all();
    return {};
}

void LogSpool::enforce_bound_locked(std::uint64_t keep) {
    auto it = entries_.begin();
    while (bytes_ > max_bytes_ && it != entries_.end()) {
        if (it->first == keep || claimed_.contains(it->first)) {
            ++it;
            continue;
        }
        auto& e = it->second;
        metrics_.dropped(e.type, e.destination, e.records);
        spdlog::warn("chat log spool over {} bytes: dropped {} unsent records of {} {}", max_bytes_,
                     e.records, type_name(e.type), e.destination);
        auto next = std::next(it);
        remove_locked(it);
        it = next;
    }
}

void LogSpool::remove_locked(std::map<std::uint64_t, SpoolEntry>::iterator it) {
    auto& e = it->second;
    std::error_code ec;
    fs::remove(e.path, ec);
    bytes_ -= e.bytes;
    metrics_.unspooled(e.type, e.destination, e.records, e.bytes);
    claimed_.erase(it->first);
    entries_.erase(it);
}

std::optional<SpoolEntry> LogSpool::claim(DestinationType type,
                                          const std::function<bool(const std::string&)>& ready) {
    std::lock_guard lock(mutex_);
    for (auto& [seq, e] : entries_) {
        if (e.type != type || claimed_.contains(seq) || !ready(e.destination)) continue;
        claimed_.insert(seq);
        return e;
    }
    return std::nullopt;
}

std::string LogSpool::read(const SpoolEntry& entry, std::string& data) const {
    std::ifstream in(entry.path, std::ios::binary);
    if (!in) return "cannot read spool file " + entry.path.string();
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
    return {};
}

std::string LogSpool::rewrite(SpoolEntry& entry, std::string_view data, std::uint64_t records) {
    if (auto error = write_atomically(entry.path, data); !error.empty()) return error;
    std::lock_guard lock(mutex_);
    auto it = entries_.find(entry.sequence);
    if (it == entries_.end()) return {};
    metrics_.unspooled(entry.type, entry.destination, it->second.records, it->second.bytes);
    bytes_ -= it->second.bytes;
    it->second.records = entry.records = records;
    it->second.bytes = entry.bytes = data.size();
    bytes_ += data.size();
    metrics_.spooled(entry.type, entry.destination, records, data.size());
    return {};
}

void LogSpool::finish(const SpoolEntry& entry, bool delivered) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(entry.sequence);
    if (it == entries_.end()) return;
    if (delivered)
        remove_locked(it);
    else
        claimed_.erase(entry.sequence);
}

void LogSpool::discard(const SpoolEntry& entry) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(entry.sequence);
    if (it == entries_.end()) return;
    metrics_.dropped(it->second.type, it->second.destination, it->second.records);
    remove_locked(it);
}

void LogSpool::wait(DestinationType type, std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(mutex_);
    const auto seen = generation_;
    added_.wait_until(lock, until, [&] { return closed_ || generation_ != seen; });
}

void LogSpool::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    added_.notify_all();
}

bool LogSpool::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

std::uint64_t LogSpool::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t LogSpool::entries(DestinationType type) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [seq, e] : entries_) n += e.type == type ? 1 : 0;
    return n;
}

std::size_t LogSpool::entries() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace parley::chatlog
