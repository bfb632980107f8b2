#include "model/shape_reader.hpp"

#include <algorithm>

namespace parley::model {

std::size_t code_point_count(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; };
    return std::equal(prefix.begin(), prefix.end(), s.begin(), [&](char a, char b) {
        return lower(static_cast<unsigned char>(a)) == lower(static_cast<unsigned char>(b));
    });
}

ShapeReader::ShapeReader(const Value& input, std::string_view prefix)
    : input_(input), prefix_(prefix) {
    if (!input_.is_object()) fail(prefix.empty() ? "body" : prefix, "must be a JSON object");
}

std::string ShapeReader::path(std::string_view name) const {
    return prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
}

void ShapeReader::fail(std::string_view name, std::string message) {
    errors_.push_back({path(name), std::move(message)});
}

void ShapeReader::finish() {
    if (!errors_.empty()) throw ApiError::validation(std::move(errors_));
}

const Value* ShapeReader::member(std::string_view name, bool required) {
    const Value* v = input_.is_object() ? input_.find(name) : nullptr;
    if (v && v->is_null()) v = nullptr;  // JSON null means "not given"
    if (!v && required) fail(name, "is required");
    return v;
}

namespace {
std::string check_string(std::string_view s, const StringRule& rule) {
    std::size_t len = code_point_count(s);
    if (len < rule.min_length) return "length must be at least " + std::to_string(rule.min_length);
    if (len > rule.max_length) return "length must be at most " + std::to_string(rule.max_length);
    if (rule.pattern && !rule.pattern(s))
        return std::string("must match pattern ") + rule.pattern_text;
    return {};
}
}  // namespace

std::optional<std::string> ShapeReader::string(std::string_view name, const StringRule& rule) {
    const Value* v = member(name, rule.required);
    if (!v) return std::nullopt;
    if (v->kind() != Value::Kind::String) {
        fail(name, "must be a string");
        return std::nullopt;
    }
    if (auto err = check_string(v->as_string(), rule); !err.empty()) {
        fail(name, err);
        return std::nullopt;
    }
    return v->as_string();
}

std::optional<std::int64_t> ShapeReader::integer(std::string_view name, const IntegerRule& rule) {
    const Value* v = member(name, rule.required);
    if (!v) return std::nullopt;
    if (v->kind() != Value::Kind::Integer) {
        fail(name, "must be an integer");
        return std::nullopt;
    }
    auto i = v->as_integer();
    if (i < rule.min || i > rule.max) {
        fail(name,
             "must be between " + std::to_string(rule.min) + " and " + std::to_string(rule.max));
        return std::nullopt;
    }
    return i;
}

std::optional<std::string> ShapeReader::enumeration(std::string_view name,
                                                    std::span<const std::string_view> allowed,
                                                    bool required) {
    const Value* v = member(name, required);
    if (!v) return std::nullopt;
    if (v->kind() != Value::Kind::String ||
        std::find(allowed.begin(), allowed.end(), v->as_string()) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(name, "must be one of: " + list);
        return std::nullopt;
    }
    return v->as_string();
}

std::optional<std::vector<std::string>> ShapeReader::enum_list(
    std::string_view name, std::span<const std::string_view> allowed, std::size_t max_items) {
    const Value* v = member(name, false);
    if (!v) return std::nullopt;
    if (v->kind() != Value::Kind::List) {
        fail(name, "must be a list");
        return std::nullopt;
    }
    if (v->as_list().size() > max_items) {
        fail(name, "must have at most " + std::to_string(max_items) + " items");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& e : v->as_list()) {
        if (e.kind() != Value::Kind::String ||
            std::find(allowed.begin(), allowed.end(), e.as_string()) == allowed.end()) {
            std::string list;
            for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            fail(name, "items must be one of: " + list);
            return std::nullopt;
        }
        out.push_back(e.as_string());
    }
    return out;
}

std::optional<std::vector<std::string>> ShapeReader::string_list(std::string_view name,
                                                                 const StringRule& item,
                                                                 std::size_t max_items,
                                                                 bool required) {
    const Value* v = member(name, required);
    if (!v) return std::nullopt;
    if (v->kind() != Value::Kind::List) {
        fail(name, "must be a list");
        return std::nullopt;
    }
    if (v->as_list().size() > max_items) {
        fail(name, "must have at most " + std::to_string(max_items) + " items");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& e : v->as_list()) {
        if (e.kind() != Value::Kind::String) {
            fail(name, "items must be strings");
            return std::nullopt;
        }
        if (auto err = check_string(e.as_string(), item); !err.empty()) {
            fail(name, "item " + err);
            return std::nullopt;
        }
        out.push_back(e.as_string());
    }
    return out;
}

std::optional<std::map<std::string, std::string>> ShapeReader::string_map(std::string_view name,
                                                                          const MapRule& rule) {
    const Value* v = member(name, rule.required);
    if (!v) return std::nullopt;
    if (!v->is_object()) {
        fail(name, "must be a map of strings");
        return std::nullopt;
    }
    if (v->members().size() > rule.max_entries) {
        fail(name, "must have at most " + std::to_string(rule.max_entries) + " entries");
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    std::size_t total = 0;
    for (const auto& [k, e] : v->members()) {
        if (e.kind() != Value::Kind::String) {
            fail(name, "values must be strings");
            return std::nullopt;
        }
        auto klen = code_point_count(k);
        if (klen < rule.min_key_length || klen > rule.max_key_length) {
            fail(name, "key length must be between " + std::to_string(rule.min_key_length) +
                           " and " + std::to_string(rule.max_key_length));
            return std::nullopt;
        }
        if (code_point_count(e.as_string()) > rule.max_value_length) {
            fail(name, "value length must be at most " + std::to_string(rule.max_value_length));
            return std::nullopt;
        }
        if (!rule.reserved_prefix.empty() &&
            (starts_with_ignoring_case(k, rule.reserved_prefix) ||
             starts_with_ignoring_case(e.as_string(), rule.reserved_prefix))) {
            fail(name, "keys and values must not start with the reserved prefix " +
                           std::string(rule.reserved_prefix) + " (in any letter case)");
            return std::nullopt;
        }
        total += k.size() + e.as_string().size();
        out[k] = e.as_string();
    }
    if (total > rule.max_total_bytes) {
        fail(name, "total size must be at most " + std::to_string(rule.max_total_bytes) + " bytes");
        return std::nullopt;
    }
    return out;
}

const Value* ShapeReader::structure(std::string_view name, bool required) {
    const Value* v = member(name, required);
    if (!v) return nullptr;
    if (v->kind() != Value::Kind::Structure) {
        fail(name, "must be an object");
        return nullptr;
    }
    return v;
}

}  // namespace parley::model
