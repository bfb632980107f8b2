#include "model/value.hpp"

namespace parley::model {

Value Value::string_map(const std::map<std::string, std::string>& m) {
    Members out;
    out.reserve(m.size());
    for (const auto& [k, v] : m) out.emplace_back(k, Value(v));
    return map(std::move(out));
}

Value Value::string_list(const std::vector<std::string>& l) {
    List out;
    out.reserve(l.size());
    for (const auto& s : l) out.emplace_back(s);
    return Value(std::move(out));
}

Value::Kind Value::kind() const {
    switch (data_.index()) {
        case 0:
            return Kind::Null;
        case 1:
            return Kind::Boolean;
        case 2:
            return Kind::Integer;
        case 3:
            return Kind::String;
        case 4:
            return Kind::List;
        default:
            return std::get<Tagged>(data_).is_map ? Kind::Map : Kind::Structure;
    }
}

const Value* Value::find(std::string_view name) const {
    if (!is_object()) return nullptr;
    for (const auto& [k, v] : members())
        if (k == name) return &v;
    return nullptr;
}

Value& Value::set(std::string name, Value v) {
    auto& ms = members();
    for (auto& [k, existing] : ms) {
        if (k == name) {
            existing = std::move(v);
            return existing;
        }
    }
    ms.emplace_back(std::move(name), std::move(v));
    return ms.back().second;
}

}  // namespace parley::model
