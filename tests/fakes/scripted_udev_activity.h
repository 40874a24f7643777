#pragma once

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "interfaces/udev_activity.h"

namespace mapperd {

// UdevActivity as the test scripts it: udev is busy until it has reported `events_left` more
// processed events, one per wait(), and settled from then on; reaching settled runs
// `on_settled` (udev letting go of a device it probed). With `events_left` below 0 udev never
// settles and each wait() lasts its whole timeout, as a quiet monitor's poll does.
class ScriptedUdevActivity final : public UdevActivity {
 public:
  int events_left = 0;
  std::function<void()> on_settled;
  // The timeout of every wait(), in order.
  std::vector<std::chrono::milliseconds> waits;

  void wait(std::chrono::milliseconds timeout) override {
    waits.push_back(timeout);
    if (events_left < 0) {
      std::this_thread::sleep_for(timeout);
      return;
    }
    if (events_left > 0 && --events_left == 0 && on_settled)
      on_settled();
  }
  bool settled() override { return events_left == 0; }
};

}  // namespace mapperd
