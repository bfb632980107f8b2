#pragma once
// A log-linear latency histogram (64 sub-buckets per power of two, so
// under 1.6% error) in microseconds: constant-time record, mergeable across
// event loops, exact count and max.
#include <cstdint>
#include <vector>

namespace parley::load {

class LatencyHistogram {
  public:
    LatencyHistogram();
    void record(std::uint64_t micros);
    void merge(const LatencyHistogram& other);
    void clear();

    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    double mean() const {
        return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
    }
    // The smallest recorded bucket value at or above fraction q (0..1) of the
    // samples.
    std::uint64_t percentile(double q) const;

  private:
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t sum_ = 0;
};

}  // namespace parley::load
