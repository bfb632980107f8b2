#include "bus/asio_hiredis.hpp"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

namespace parley::bus {

namespace asio = boost::asio;

namespace {

struct HiredisWatch : std::enable_shared_from_this<HiredisWatch> {
    HiredisWatch(asio::io_context& io, redisAsyncContext* c) : ac(c), fd(io, c->c.fd) {}

    redisAsyncContext* ac;
    asio::posix::stream_descriptor fd;
    bool want_read = false, want_write = false;
    bool read_waiting = false, write_waiting = false;  // an async_wait is outstanding
    bool gone = false;                                 // hiredis freed the context

    // A wait left outstanding after delRead simply finds want_read false when it fires; an
    // addRead meanwhile reuses it instead of stacking a second one.
    void wait_read() {
        if (read_waiting || gone) return;
        read_waiting = true;
        fd.async_wait(asio::posix::stream_descriptor::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) {
                          self->read_waiting = false;
                          if (ec || self->gone || !self->want_read) return;
                          redisAsyncHandleRead(self->ac);  // may free the context (gone)
                          if (!self->gone && self->want_read) self->wait_read();
                      });
    }
    void wait_write() {
        if (write_waiting || gone) return;
        write_waiting = true;
        fd.async_wait(asio::posix::stream_descriptor::wait_write,
                      [self = shared_from_this()](const boost::system::error_code& ec) {
                          self->write_waiting = false;
                          if (ec || self->gone || !self->want_write) return;
                          redisAsyncHandleWrite(self->ac);
                          if (!self->gone && self->want_write) self->wait_write();
                      });
    }
};

using Holder = std::shared_ptr<HiredisWatch>;

HiredisWatch& watch(void* data) {
    return **static_cast<Holder*>(data);
}

void add_read(void* data) {
    auto& w = watch(data);
    w.want_read = true;
    w.wait_read();
}
void del_read(void* data) {
    watch(data).want_read = false;
}
void add_write(void* data) {
    auto& w = watch(data);
    w.want_write = true;
    w.wait_write();
}
void del_write(void* data) {
    watch(data).want_write = false;
}
void cleanup(void* data) {
    auto* holder = static_cast<Holder*>(data);
    auto& w = **holder;
    w.gone = true;
    w.want_read = w.want_write = false;
    boost::system::error_code ignored;
    w.fd.cancel(ignored);
    w.fd.release();  // hiredis closes the fd
    delete holder;   // outstanding waits keep the watch alive until they run
}

}  // namespace

void attach_to_asio(redisAsyncContext* ac, asio::io_context& io) {
    auto* holder = new Holder(std::make_shared<HiredisWatch>(io, ac));
    ac->ev.data = holder;
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
}

}  // namespace parley::bus
