#pragma once
// A counted reference to a chat connection, in 8 bytes. The count lives in the session itself
// (no control block, no weak pointer inside it): at 10,000 idle connections a shared_ptr's
// 16-byte control block, its 16-byte weak self-reference and the 16-byte pointers in the hub's
// lists cost ~48 bytes a connection. The count is atomic: a review, the bus or a backfill may
// drop the last reference on another thread.
#include <boost/smart_ptr/intrusive_ptr.hpp>

namespace parley::messaging {

class ChatSession;
void intrusive_ptr_add_ref(ChatSession* s) noexcept;
void intrusive_ptr_release(ChatSession* s) noexcept;
using SessionPtr = boost::intrusive_ptr<ChatSession>;

}  // namespace parley::messaging
