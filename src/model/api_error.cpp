#include "model/api_error.hpp"

namespace parley::model {

ApiError ApiError::validation(std::vector<FieldError> fields) {
    std::string msg;
    for (const auto& f : fields) {
        if (!msg.empty()) msg += "; ";
        msg += f.name + ": " + f.message;
    }
    ApiError e("ValidationException", 400, msg.empty() ? "Validation failed" : msg);
    e.reason = "FIELD_VALIDATION_FAILED";
    e.field_list = std::move(fields);
    return e;
}

ApiError ApiError::validation(std::string message, std::string reason) {
    ApiError e("ValidationException", 400, std::move(message));
    e.reason = std::move(reason);
    return e;
}

ApiError ApiError::unknown_operation(std::string message) {
    return validation(std::move(message), "UNKNOWN_OPERATION");
}

ApiError ApiError::not_found(std::string resource_id, std::string resource_type) {
    ApiError e("ResourceNotFoundException", 404,
               "Resource not found: " + resource_type + " " + resource_id);
    e.resource_id = std::move(resource_id);
    e.resource_type = std::move(resource_type);
    return e;
}

ApiError ApiError::conflict(std::string message, std::string resource_id,
                            std::string resource_type) {
    ApiError e("ConflictException", 409, std::move(message));
    e.resource_id = std::move(resource_id);
    e.resource_type = std::move(resource_type);
    return e;
}

ApiError ApiError::quota_exceeded(std::string message, std::string resource_id,
                                  std::string resource_type, int limit) {
    ApiError e("ServiceQuotaExceededException", 402, std::move(message));
    e.resource_id = std::move(resource_id);
    e.resource_type = std::move(resource_type);
    e.limit = limit;
    return e;
}

ApiError ApiError::throttling(std::string resource_id, std::string resource_type, int limit) {
    ApiError e("ThrottlingException", 429, "Rate exceeded");
    e.resource_id = std::move(resource_id);
    e.resource_type = std::move(resource_type);
    e.limit = limit;
    return e;
}

ApiError ApiError::access_denied(std::string message) {
    return ApiError("AccessDeniedException", 403, std::move(message));
}

ApiError ApiError::internal(std::string message) {
    return ApiError("InternalServerException", 500, std::move(message));
}

Value ApiError::to_value() const {
    Value v = Value::structure();
    v.set("message", message_);
    if (reason) v.set("reason", *reason);
    if (!field_list.empty() || type_ == "ValidationException") {
        List fl;
        for (const auto& f : field_list)
            fl.push_back(Value::structure({{"name", f.name}, {"message", f.message}}));
        v.set("fieldList", Value(std::move(fl)));
    }
    if (resource_id) v.set("resourceId", *resource_id);
    if (resource_type) v.set("resourceType", *resource_type);
    if (limit) v.set("limit", *limit);
    return v;
}

}  // namespace parley::model
