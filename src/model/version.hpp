#pragma once
// The release version, written only here: CMakeLists.txt reads it for project() and packaging.
namespace parley::model {
inline constexpr const char* kParleyVersion = "0.2.0";
}  // namespace parley::model
