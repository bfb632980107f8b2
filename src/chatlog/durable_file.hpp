#pragma once
// File writes a batch can be acknowledged on: when these return success the bytes are on disk
// (fsync'd), and a failure leaves no partial record behind.
#include <filesystem>
#include <string>
#include <string_view>

namespace parley::chatlog {

// Appends `data` to `path` (parents created, file mode 0600) and fsyncs. On failure the file
// is cut back to its previous length, so the next batch never follows half a line. Returns an
// error description, empty on success.
std::string append_durably(const std::filesystem::path& path, std::string_view data);

// Writes `path` whole: a temporary file in the same directory, fsync, rename, then fsync of the
// directory; a reader sees the complete object or none. Returns an error, empty on success.
std::string write_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace parley::chatlog
