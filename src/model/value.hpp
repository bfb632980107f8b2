#pragma once
// The generic value tree every API shape maps onto (to_value / from_value) and the JSON codec
// reads and writes. Objects keep member order so responses serialise in the model's order.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace parley::model {

class Value;
using List = std::vector<Value>;
using Members = std::vector<std::pair<std::string, Value>>;

class Value {
  public:
    enum class Kind { Null, Boolean, Integer, String, List, Map, Structure };

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : data_(b) {}
    Value(int i) : data_(static_cast<std::int64_t>(i)) {}
    Value(std::int64_t i) : data_(i) {}
    Value(std::string s) : data_(std::move(s)) {}
    Value(const char* s) : data_(std::string(s)) {}
    Value(List l) : data_(std::move(l)) {}

    static Value structure(Members m = {}) { return Value(Tagged{std::move(m), false}); }
    static Value map(Members m = {}) { return Value(Tagged{std::move(m), true}); }
    static Value string_map(const std::map<std::string, std::string>& m);
    static Value string_list(const std::vector<std::string>& l);

    Kind kind() const;
    bool is_null() const { return kind() == Kind::Null; }
    bool is_object() const { return kind() == Kind::Map || kind() == Kind::Structure; }

    bool as_bool() const { return std::get<bool>(data_); }
    std::int64_t as_integer() const { return std::get<std::int64_t>(data_); }
    const std::string& as_string() const { return std::get<std::string>(data_); }
    const List& as_list() const { return std::get<List>(data_); }
    List& as_list() { return std::get<List>(data_); }
    // Members of a Map or Structure, in order.
    const Members& members() const { return std::get<Tagged>(data_).members; }
    Members& members() { return std::get<Tagged>(data_).members; }

    // Structure/Map helpers. find() returns nullptr when the member is absent.
    const Value* find(std::string_view name) const;
    Value& set(std::string name, Value v);  // appends or replaces, keeps order

  private:
    struct Tagged {
        Members members;
        bool is_map;
    };
    explicit Value(Tagged t) : data_(std::move(t)) {}
    std::variant<std::monostate, bool, std::int64_t, std::string, List, Tagged> data_;
};

}  // namespace parley::model
