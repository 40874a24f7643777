#pragma once

#include <sdbus-c++/IConnection.h>

#include "events/event_loop.h"

namespace mapperd::bus {

// Serves `connection` from `loop`: polls its descriptor with the events and timeout sd-bus asks
// for, and processes every pending message after each turn. `connection` must outlive `loop`'s
// use of it. A broken connection throws sdbus::Error out of EventLoop::run().
void serve_on(EventLoop& loop, sdbus::IConnection& connection);

}  // namespace mapperd::bus
