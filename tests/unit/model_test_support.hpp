#pragma once
// Helpers for the model tests: build request trees from JSON text, run a shape's reader and
// collect the names of the fields it refused, and make ARNs of an exact length to probe bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "model/api_error.hpp"
#include "model/json_codec.hpp"
#include "model/value.hpp"

namespace parley::model::testing {

inline const std::string kRoomArn = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6";
inline const std::string kLoggingArn =
    "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/ABcdef34ghIJ";
inline const std::string kLambdaArn =
    "arn:aws:lambda:us-west-2:123456789012:function:review-messages";

inline Value parse(std::string_view json) {
    auto r = parse_json(json);
    EXPECT_TRUE(r.value.has_value()) << r.error << " in " << json;
    return r.value.value_or(Value::structure());
}

// `base` with member `name` set to `v` (base must be an object).
inline Value with(Value base, std::string name, Value v) {
    base.set(std::move(name), std::move(v));
    return base;
}

// Names of the fields Shape::from_value refuses; empty when the input is valid. A validation
// error without a field list is reported as "<message>" so it still counts as a failure.
template <class Shape>
std::vector<std::string> errors_of(const Value& v) {
    try {
        (void)Shape::from_value(v);
        return {};
    } catch (const ApiError& e) {
        EXPECT_EQ(e.type(), "ValidationException");
        EXPECT_EQ(e.status(), 400);
        std::vector<std::string> names;
        for (const auto& f : e.field_list) names.push_back(f.name);
        if (names.empty()) names.push_back("<" + e.message() + ">");
        return names;
    }
}

template <class Shape>
bool accepts(const Value& v) {
    return errors_of<Shape>(v).empty();
}

// True when Shape::from_value refuses `v` and names `field` among the bad fields.
template <class Shape>
bool refuses(const Value& v, std::string_view field) {
    auto names = errors_of<Shape>(v);
    return std::find(names.begin(), names.end(), field) != names.end();
}

// A function placing a value at member `name` of `base`: where a bound probe puts its value.
inline auto at(Value base, std::string name) {
    return [base = std::move(base), name = std::move(name)](Value v) {
        return with(base, name, std::move(v));
    };
}

// Length bounds of a string member: min-1 fails (when min > 0), min and max pass, max+1 fails.
// `place` builds the whole request around the probe, `path` is the field name errors carry,
// `make(n)` a valid string of n code points.
template <class Shape, class Place, class Make>
void expect_string_bounds(Place place, std::string_view path, std::size_t min, std::size_t max,
                          Make make) {
    SCOPED_TRACE(std::string(path));
    if (min > 0) {
        EXPECT_TRUE(refuses<Shape>(place(Value(make(min - 1))), path)) << "min-1";
    }
    EXPECT_TRUE(accepts<Shape>(place(Value(make(min))))) << "min";
    EXPECT_TRUE(accepts<Shape>(place(Value(make(max))))) << "max";
    EXPECT_TRUE(refuses<Shape>(place(Value(make(max + 1))), path)) << "max+1";
}

template <class Shape, class Place>
void expect_integer_bounds(Place place, std::string_view path, std::int64_t min, std::int64_t max) {
    SCOPED_TRACE(std::string(path));
    EXPECT_TRUE(refuses<Shape>(place(Value(min - 1)), path)) << "min-1";
    EXPECT_TRUE(accepts<Shape>(place(Value(min)))) << "min";
    EXPECT_TRUE(accepts<Shape>(place(Value(max)))) << "max";
    EXPECT_TRUE(refuses<Shape>(place(Value(max + 1)), path)) << "max+1";
    EXPECT_TRUE(refuses<Shape>(place(Value("5")), path)) << "a string is not an integer";
}

inline std::string repeat(std::size_t n, char c = 'a') {
    return std::string(n, c);
}

// ARNs of exactly `length` characters (the account number absorbs the padding).
inline std::string room_arn_of_length(std::size_t length) {
    const std::string head = "arn:aws:ivschat:us-east-1:", tail = ":room/g1H2I3j4k5L6";
    return head + repeat(length - head.size() - tail.size(), '1') + tail;
}
inline std::string logging_arn_of_length(std::size_t length) {
    const std::string head = "arn:aws:ivschat:us-east-1:",
                      tail = ":logging-configuration/ABcdef34ghIJ";
    return head + repeat(length - head.size() - tail.size(), '1') + tail;
}
// A valid messageReviewHandler uri of `length` characters; 0 gives the (valid) empty uri.
inline std::string lambda_uri_of_length(std::size_t length) {
    const std::string head = "arn:aws:lambda:us-east-1:123456789012:function:";
    return length == 0 ? std::string() : head + repeat(length - head.size(), 'f');
}

}  // namespace parley::model::testing
