#pragma once
// Told by the control plane when a logging configuration is created, updated or deleted, so
// the chat logger's view of destinations never needs a store read on the delivery path.
#include <string>

#include "model/resources.hpp"

namespace parley::chatlog {

class LoggingConfigurationListener {
  public:
    virtual ~LoggingConfigurationListener() = default;
    // Created or updated (called after the change is committed).
    virtual void configuration_changed(const model::LoggingConfiguration& configuration) = 0;
    virtual void configuration_deleted(const std::string& arn) = 0;
};

}  // namespace parley::chatlog
