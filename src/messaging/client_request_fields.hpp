#pragma once
// Reading the members of a client's chat request: keys match in any case (a public demo client
// sends lower-case keys), and a JSON null counts as absent.
#include <string>
#include <string_view>

#include "model/value.hpp"

namespace parley::messaging {

const model::Value* request_member(const model::Value& request, std::string_view name);
// The member when it is a string, else nullptr.
const std::string* request_string(const model::Value& request, std::string_view name);

}  // namespace parley::messaging
