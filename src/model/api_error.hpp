#pragma once
// An error as the IVS Chat API reports it: HTTP status, the x-amzn-ErrorType name and the JSON
// body members of the modelled exception shape. Thrown by validation and handlers, rendered
// once by the control plane.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/value.hpp"

namespace parley::model {

struct FieldError {
    std::string name;
    std::string message;
};

class ApiError : public std::exception {
  public:
    ApiError(std::string type, int status, std::string message)
        : type_(std::move(type)), status_(status), message_(std::move(message)) {}

    // Modelled exceptions (spec 6.1).
    static ApiError validation(std::vector<FieldError> fields);
    static ApiError validation(std::string message, std::string reason = "OTHER");
    static ApiError unknown_operation(std::string message);
    static ApiError not_found(std::string resource_id, std::string resource_type = "ROOM");
    static ApiError conflict(std::string message, std::string resource_id,
                             std::string resource_type = "ROOM");
    static ApiError quota_exceeded(std::string message, std::string resource_id,
                                   std::string resource_type, int limit);
    static ApiError throttling(std::string resource_id, std::string resource_type, int limit);
    static ApiError access_denied(std::string message);
    static ApiError internal(std::string message);

    const std::string& type() const { return type_; }
    int status() const { return status_; }
    const std::string& message() const { return message_; }
    const char* what() const noexcept override { return message_.c_str(); }

    std::optional<std::string> reason;
    std::vector<FieldError> field_list;
    std::optional<std::string> resource_id;
    std::optional<std::string> resource_type;
    std::optional<int> limit;

    // The JSON body: {"message": ..., plus the shape's members}.
    Value to_value() const;

  private:
    std::string type_;
    int status_;
    std::string message_;
};

}  // namespace parley::model
