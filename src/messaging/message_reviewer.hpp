#pragma once
// The room's message review handler: a message goes out only after the reviewer decided. The
// implementation calls session->deliver_message (or sends ERROR 406) on the session's loop.
#include <memory>
#include <string>

#include "messaging/chat_frames.hpp"
#include "messaging/room_catalog.hpp"
#include "messaging/session_ptr.hpp"

namespace parley::messaging {

class MessageReviewer {
  public:
    virtual ~MessageReviewer() = default;
    virtual void review(const RoomPtr& room, ChatMessage message, const std::string& sender_ip,
                        SessionPtr sender) = 0;
};

}  // namespace parley::messaging
