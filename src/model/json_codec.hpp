#pragma once
// JSON text <-> Value tree. Parsing never throws on bad input: it returns nullopt and an error
// message so the caller can answer with a ValidationException / ERROR frame.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/value.hpp"

namespace parley::model {

struct JsonParseResult {
    std::optional<Value> value;
    std::string error;
};

// Objects become Structure values (member order kept); numbers that are not exact integers are
// refused, since no IVS Chat shape has a non-integer number.
JsonParseResult parse_json(std::string_view text, std::size_t max_depth = 32);

// The text written is always valid JSON: ill-formed UTF-8 in a string becomes U+FFFD.
std::string to_json(const Value& v);
void append_json(std::string& out, const Value& v);
void append_json_string(std::string& out, std::string_view s);
// {"k":"v",...} for a string map (attributes), without building a Value tree.
void append_json_string_map(std::string& out, const std::map<std::string, std::string>& m);

}  // namespace parley::model
