#include "model/tag_shapes.hpp"

#include "model/field_rules.hpp"
#include "model/identifiers.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

namespace {
// The model's ResourceArn pattern is broken (spec 2.2); both taggable kinds are accepted.
bool is_taggable_arn(std::string_view s) {
    return parse_arn(s).has_value();
}

constexpr StringRule kResourceArnRule{.required = true,
                                      .min_length = 1,
                                      .max_length = 128,
                                      .pattern = is_taggable_arn,
                                      .pattern_text = "room or logging-configuration ARN"};

std::string read_resource_arn(ShapeReader& r) {
    return r.string("resourceArn", kResourceArnRule).value_or("");
}

Tags read_tags(ShapeReader& r) {
    MapRule rule = kTagsRule;
    rule.required = true;
    auto tags = r.string_map("tags", rule);
    if (tags && tags->empty()) r.fail("tags", "must have at least 1 entry");
    return tags.value_or(Tags{});
}

std::vector<std::string> read_tag_keys(ShapeReader& r) {
    auto keys = r.string_list("tagKeys", kTagKeyRule, kMaxTagsPerResource, true);
    if (keys && keys->empty()) r.fail("tagKeys", "must have at least 1 item");
    return keys.value_or(std::vector<std::string>{});
}
}  // namespace

// ---- ListTagsForResource ----

Value ListTagsForResourceRequest::to_value() const {
    return Value::structure({{"resourceArn", resource_arn}});
}

ListTagsForResourceRequest ListTagsForResourceRequest::from_value(const Value& v) {
    ShapeReader r(v);
    ListTagsForResourceRequest out;
    out.resource_arn = read_resource_arn(r);
    r.finish();
    return out;
}

ListTagsForResourceRequest ListTagsForResourceRequest::from_parts(std::string resource_arn) {
    return from_value(Value::structure({{"resourceArn", std::move(resource_arn)}}));
}

Value ListTagsForResourceResponse::to_value() const {
    return Value::structure({{"tags", Value::string_map(tags)}});
}

// ---- TagResource ----

Value TagResourceRequest::to_value() const {
    return Value::structure({{"resourceArn", resource_arn}, {"tags", Value::string_map(tags)}});
}

TagResourceRequest TagResourceRequest::from_value(const Value& v) {
    ShapeReader r(v);
    TagResourceRequest out;
    out.resource_arn = read_resource_arn(r);
    out.tags = read_tags(r);
    r.finish();
    return out;
}

TagResourceRequest TagResourceRequest::from_parts(std::string resource_arn, const Value* body) {
    bool body_is_object = body && body->is_object();
    Value parts = body_is_object ? *body : Value::structure();
    parts.set("resourceArn", std::move(resource_arn));  // the path wins over a body member
    ShapeReader r(parts);
    if (body && !body_is_object) r.fail("body", "must be a JSON object");
    TagResourceRequest out;
    out.resource_arn = read_resource_arn(r);
    out.tags = read_tags(r);
    r.finish();
    return out;
}

Value TagResourceResponse::to_value() const {
    return Value::structure();
}

// ---- UntagResource ----

Value UntagResourceRequest::to_value() const {
    return Value::structure(
        {{"resourceArn", resource_arn}, {"tagKeys", Value::string_list(tag_keys)}});
}

UntagResourceRequest UntagResourceRequest::from_value(const Value& v) {
    ShapeReader r(v);
    UntagResourceRequest out;
    out.resource_arn = read_resource_arn(r);
    out.tag_keys = read_tag_keys(r);
    r.finish();
    return out;
}

UntagResourceRequest UntagResourceRequest::from_parts(std::string resource_arn,
                                                      std::vector<std::string> tag_keys) {
    Value parts = Value::structure({{"resourceArn", std::move(resource_arn)}});
    // A query cannot say "empty list", so no keys at all means the member is missing.
    if (!tag_keys.empty()) parts.set("tagKeys", Value::string_list(tag_keys));
    return from_value(parts);
}

Value UntagResourceResponse::to_value() const {
    return Value::structure();
}

}  // namespace parley::model
