#include "loop_detach.h"

#include <algorithm>

#include "model/error.h"

namespace mapperd {
namespace {

using Clock = std::chrono::steady_clock;

// Returns once udev is settled, or at `deadline`.
void wait_until_settled(UdevActivity& udev, Clock::time_point deadline,
                        std::chrono::milliseconds recheck) {
  while (!udev.settled()) {
    const Clock::time_point now = Clock::now();
    if (now >= deadline)
      return;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    udev.wait(std::min(left, recheck));
  }
}

}  // namespace

void detach_when_udev_lets_go(LoopDevices& loops, UdevActivity* udev, std::uint32_t index,
                              const LoopDetachTiming& timing) {
  if (udev == nullptr)
    return loops.detach(index);
  const Clock::time_point deadline = Clock::now() + timing.timeout;
  for (;;) {
    wait_until_settled(*udev, deadline, timing.recheck);
    try {
      return loops.detach(index);
    } catch (const Error& e) {
      // udev busy again: an event it took up after it settled (a bind's uevent it had not read
      // yet) may be the opener. Settled: the holder is not udev.
      if (e.kind() != ErrorKind::Busy || udev->settled() || Clock::now() >= deadline)
        throw;
    }
  }
}

}  // namespace mapperd
