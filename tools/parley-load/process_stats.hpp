#pragma once
// What the tool reads about processes: its own open-file limit (raised to the
// hard limit so thousands of sockets fit) and the server's resident memory and
// CPU time from /proc.
#include <cstdint>
#include <optional>

namespace parley::load {

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the soft limit
// now in force.
std::uint64_t raise_open_file_limit();

std::optional<std::uint64_t> resident_kib(int pid);     // VmRSS of /proc/<pid>/status
std::optional<double> cpu_seconds(int pid);             // utime + stime of /proc/<pid>/stat
std::optional<std::uint64_t> open_file_count(int pid);  // entries of /proc/<pid>/fd
std::optional<std::uint64_t> open_file_limit(int pid);  // "Max open files" of /proc/<pid>/limits
double own_cpu_seconds();                               // this process, user + system

}  // namespace parley::load
