#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::load {

namespace {
constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
constexpr std::uint64_t kSub = 1u << kSubBits;
constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSub;

std::size_t index_of(std::uint64_t v) {
    if (v < 2 * kSub) return static_cast<std::size_t>(v);
    int shift = std::bit_width(v) - 1 - kSubBits;  // >= 1
    return static_cast<std::size_t>(shift) * kSub + static_cast<std::size_t>(v >> shift);
}

// The upper edge of a bucket, so percentiles never understate.
std::uint64_t value_of(std::size_t i) {
    if (i < 2 * kSub) return i;
    std::size_t shift = i / kSub - 1;
    std::uint64_t sub = i % kSub + kSub;
    return ((sub + 1) << shift) - 1;
}
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

void LatencyHistogram::record(std::uint64_t micros) {
    ++buckets_[std::min(index_of(micros), kBuckets - 1)];
    ++count_;
    sum_ += micros;
    max_ = std::max(max_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
}

void LatencyHistogram::clear() {
    std::fill(buckets_.begin(), buckets_.end(), 0);
    count_ = max_ = sum_ = 0;
}

std::uint64_t LatencyHistogram::percentile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::min(value_of(i), max_);
    }
    return max_;
}

}  // namespace parley::load
