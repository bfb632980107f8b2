#include "model/json_codec.hpp"

#include <boost/json.hpp>
#include <cstdio>

namespace parley::model {

namespace {
namespace json = boost::json;

bool convert(const json::value& in, Value& out, std::size_t depth, std::size_t max_depth,
             std::string& error) {
    if (depth > max_depth) {
        error = "JSON nested too deeply";
        return false;
    }
    switch (in.kind()) {
        case json::kind::null:
            out = Value();
            return true;
        case json::kind::bool_:
            out = Value(in.get_bool());
            return true;
        case json::kind::int64:
            out = Value(in.get_int64());
            return true;
        case json::kind::uint64:
            if (in.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) {
                error = "number out of range";
                return false;
            }
            out = Value(static_cast<std::int64_t>(in.get_uint64()));
            return true;
        case json::kind::double_: {
            double d = in.get_double();
            // Range first: casting an out-of-range double (e.g. 1e400 = inf) is undefined.
            if (!(d >= -9.0e18 && d <= 9.0e18) ||
                d != static_cast<double>(static_cast<std::int64_t>(d))) {
                error = "expected an integer";
                return false;
            }
            out = Value(static_cast<std::int64_t>(d));
            return true;
        }
        case json::kind::string:
            out = Value(std::string(in.get_string()));
            return true;
        case json::kind::array: {
            List l;
            l.reserve(in.get_array().size());
            for (const auto& e : in.get_array()) {
                Value v;
                if (!convert(e, v, depth + 1, max_depth, error)) return false;
                l.push_back(std::move(v));
            }
            out = Value(std::move(l));
            return true;
        }
        case json::kind::object: {
            Members ms;
            ms.reserve(in.get_object().size());
            for (const auto& kv : in.get_object()) {
                Value v;
                if (!convert(kv.value(), v, depth + 1, max_depth, error)) return false;
                ms.emplace_back(std::string(kv.key()), std::move(v));
            }
            out = Value::structure(std::move(ms));
            return true;
        }
    }
    error = "unsupported JSON value";
    return false;
}
}  // namespace

JsonParseResult parse_json(std::string_view text, std::size_t max_depth) {
    JsonParseResult r;
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = max_depth + 1;
    json::value jv = json::parse(text, ec, {}, opts);
    if (ec) {
        r.error = "Could not parse request body as JSON: " + ec.message();
        return r;
    }
    Value v;
    if (!convert(jv, v, 0, max_depth, r.error)) return r;
    r.value = std::move(v);
    return r;
}

namespace {
// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode Table 3-7), or 0 if
// it is ill-formed; *bad_len is then the length of the maximal subpart to replace.
std::size_t utf8_sequence(std::string_view s, std::size_t* bad_len) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    std::size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        *bad_len = 1;
        return 0;
    }
    for (std::size_t k = 1; k <= need; ++k) {
        if (k >= s.size() || static_cast<unsigned char>(s[k]) < lo ||
            static_cast<unsigned char>(s[k]) > hi) {
            *bad_len = k;
            return 0;
        }
        lo = 0x80, hi = 0xBF;
    }
    return need + 1;
}
}  // namespace

// Ill-formed UTF-8 becomes U+FFFD (one per maximal subpart, as browsers decode): some strings
// we echo come from raw HTTP bytes (header values, paths), and JSON text must be valid UTF-8.
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t bad = 0;
            const std::size_t n = utf8_sequence(s.substr(i), &bad);
            if (n) {
                out.append(s.substr(i, n));
                i += n;
            } else {
                out += "\xEF\xBF\xBD";
                i += bad;
            }
            continue;
        }
        ++i;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

void append_json_string_map(std::string& out, const std::map<std::string, std::string>& m) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        append_json_string(out, v);
    }
    out += '}';
}

void append_json(std::string& out, const Value& v) {
    switch (v.kind()) {
        case Value::Kind::Null:
            out += "null";
            break;
        case Value::Kind::Boolean:
            out += v.as_bool() ? "true" : "false";
            break;
        case Value::Kind::Integer:
            out += std::to_string(v.as_integer());
            break;
        case Value::Kind::String:
            append_json_string(out, v.as_string());
            break;
        case Value::Kind::List: {
            out += '[';
            bool first = true;
            for (const auto& e : v.as_list()) {
                if (!first) out += ',';
                first = false;
                append_json(out, e);
            }
            out += ']';
            break;
        }
        case Value::Kind::Map:
        case Value::Kind::Structure: {
            out += '{';
            bool first = true;
            for (const auto& [k, e] : v.members()) {
                if (!first) out += ',';
                first = false;
                append_json_string(out, k);
                out += ':';
                append_json(out, e);
            }
            out += '}';
            break;
        }
    }
}

std::string to_json(const Value& v) {
    std::string out;
    append_json(out, v);
    return out;
}

}  // namespace parley::model
