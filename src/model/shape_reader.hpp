#pragma once
// Reads one request structure out of a Value tree, checking each member against the model's
// constraints. Errors are collected (not thrown one by one) so a ValidationException lists
// every bad field at once, as AWS does.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/api_error.hpp"
#include "model/value.hpp"

namespace parley::model {

using StringPredicate = bool (*)(std::string_view);

struct StringRule {
    bool required = false;
    std::size_t min_length = 0;  // in Unicode code points, as Smithy counts
    std::size_t max_length = SIZE_MAX;
    StringPredicate pattern = nullptr;
    const char* pattern_text = "";  // shown in the error message
};

struct IntegerRule {
    bool required = false;
    std::int64_t min = INT64_MIN;
    std::int64_t max = INT64_MAX;
};

struct MapRule {
    bool required = false;
    std::size_t max_entries = SIZE_MAX;
    std::size_t min_key_length = 0, max_key_length = SIZE_MAX;
    std::size_t max_value_length = SIZE_MAX;
    std::size_t max_total_bytes = SIZE_MAX;  // sum of UTF-8 bytes of keys and values
    // Keys and values must not start with this, in any letter case (AWS reserves "aws:").
    std::string_view reserved_prefix{};
};

// Whether `s` starts with `prefix`, ASCII letters compared without regard to case.
bool starts_with_ignoring_case(std::string_view s, std::string_view prefix);

std::size_t code_point_count(std::string_view utf8);

class ShapeReader {
  public:
    // `input` must be a structure; anything else is a validation error on `shape_name`.
    ShapeReader(const Value& input, std::string_view prefix = "");

    std::optional<std::string> string(std::string_view name, const StringRule& rule);
    std::optional<std::int64_t> integer(std::string_view name, const IntegerRule& rule);
    std::optional<std::string> enumeration(std::string_view name,
                                           std::span<const std::string_view> allowed,
                                           bool required = false);
    std::optional<std::vector<std::string>> enum_list(std::string_view name,
                                                      std::span<const std::string_view> allowed,
                                                      std::size_t max_items = SIZE_MAX);
    std::optional<std::vector<std::string>> string_list(std::string_view name,
                                                        const StringRule& item,
                                                        std::size_t max_items,
                                                        bool required = false);
    std::optional<std::map<std::string, std::string>> string_map(std::string_view name,
                                                                 const MapRule& rule);
    // A nested structure, or nullptr if absent (or not a structure, which is recorded).
    const Value* structure(std::string_view name, bool required = false);

    void fail(std::string_view name, std::string message);
    bool ok() const { return errors_.empty(); }
    std::vector<FieldError>& errors() { return errors_; }
    // Throws ApiError::validation with every collected error, if any.
    void finish();

  private:
    const Value* member(std::string_view name, bool required);
    std::string path(std::string_view name) const;

    const Value& input_;
    std::string prefix_;
    std::vector<FieldError> errors_;
};

}  // namespace parley::model
