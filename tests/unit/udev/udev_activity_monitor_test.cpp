// The udev monitor that wakes cookie waits. Events need a running udev (the guest suite);
// here: it opens without one and keeps its timeout when nothing happens.

#include "udev/udev_activity_monitor.h"

#include <gtest/gtest.h>

namespace mapperd {
namespace {

using Clock = std::chrono::steady_clock;

TEST(AUdevActivityMonitor, ReturnsAfterItsTimeoutWhenUdevIsQuiet) {
  UdevActivityMonitor monitor;
  const Clock::time_point start = Clock::now();
  monitor.wait(std::chrono::milliseconds(100));
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(AUdevActivityMonitor, ReturnsAtOnceForAZeroTimeout) {
  UdevActivityMonitor monitor;
  const Clock::time_point start = Clock::now();
  monitor.wait(std::chrono::milliseconds(0));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(50));
}

}  // namespace
}  // namespace mapperd
