#pragma once
// A fresh directory per test under the system temp dir, removed (with its contents) afterwards.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "model/resources.hpp"

namespace parley::store::test {

class TemporaryDirectory {
  public:
    TemporaryDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "parley-store-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path database() const { return path_ / "data" / "parley.db"; }

  private:
    std::filesystem::path path_;
};

inline model::Room sample_room(const std::string& id) {
    model::Room room;
    room.id = id;
    room.arn = "arn:aws:ivschat:us-west-2:123456789012:room/" + id;
    room.name = "room-" + id;
    room.create_time = 1673275715358;
    room.update_time = 1673275715999;
    room.maximum_message_length = 321;
    room.maximum_message_rate_per_second = 7;
    room.message_review_handler = model::MessageReviewHandler{
        "arn:aws:lambda:us-west-2:123456789012:function:review", "DENY"};
    room.logging_configuration_identifiers = {
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/ccccccccccc3",
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/aaaaaaaaaaa1",
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/bbbbbbbbbbb2",
    };
    room.tags = {{"team", "chat"}, {"ünïcødé ключ", "値 🎉"}, {"empty", ""}};
    return room;
}

inline model::LoggingConfiguration sample_logging_configuration(
    const std::string& id, model::DestinationConfiguration destination) {
    model::LoggingConfiguration config;
    config.id = id;
    config.arn = "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/" + id;
    config.name = "logs-" + id;
    config.create_time = 1663177680653;
    config.update_time = 1663177680999;
    config.destination_configuration = std::move(destination);
    config.state = "ACTIVE";
    config.tags = {{"env", "prod"}};
    return config;
}

}  // namespace parley::store::test
