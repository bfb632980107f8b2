#pragma once
// Drives a hiredis async context from an Asio io_context: hiredis says when it wants to read or
// write its socket (ev.addRead/delRead/addWrite/delWrite) and Asio waits for readiness on that
// fd (stream_descriptor::async_wait), then hands the event back to hiredis. No thread of its
// own and no blocking call; everything runs on the io_context's thread.
#include <boost/asio/io_context.hpp>

struct redisAsyncContext;

namespace parley::bus {

// Must be called on the io_context's thread, right after redisAsyncConnect. The attachment
// lives until hiredis frees the context (its ev.cleanup hook), which never closes the fd
// itself: hiredis owns and closes it.
void attach_to_asio(redisAsyncContext* ac, boost::asio::io_context& io);

}  // namespace parley::bus
