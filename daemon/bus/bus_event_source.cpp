#include "bus_event_source.h"

namespace mapperd::bus {

void serve_on(EventLoop& loop, sdbus::IConnection& connection) {
  loop.add_source(
      [&connection] {
        const sdbus::IConnection::PollData poll = connection.getEventLoopPollData();
        return EventLoop::PollRequest{poll.fd, poll.events, poll.getPollTimeout()};
      },
      [&connection] {
        // One message per call; sd-bus may hold several already read.
        while (connection.processPendingRequest()) {
        }
      });
}

}  // namespace mapperd::bus
