#include "messaging/client_request_fields.hpp"

#include <cctype>

namespace parley::messaging {

const model::Value* request_member(const model::Value& request, std::string_view name) {
    for (const auto& [k, v] : request.members()) {
        if (k.size() != name.size()) continue;
        bool eq = true;
        for (std::size_t i = 0; i < k.size() && eq; ++i)
            eq = std::tolower(static_cast<unsigned char>(k[i])) ==
                 std::tolower(static_cast<unsigned char>(name[i]));
        if (eq) return v.is_null() ? nullptr : &v;
    }
    return nullptr;
}

const std::string* request_string(const model::Value& request, std::string_view name) {
    const model::Value* v = request_member(request, name);
    return v && v->kind() == model::Value::Kind::String ? &v->as_string() : nullptr;
}

}  // namespace parley::messaging
