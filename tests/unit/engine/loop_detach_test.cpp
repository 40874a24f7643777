// detach_when_udev_lets_go(): a loop device udev still probes is detached once udev's events say
// it is done, never by retrying on a timer, and one held by anything else is refused at once.

#include "engine/loop_detach.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "fakes/fake_loop_devices.h"
#include "fakes/scripted_udev_activity.h"
#include "model/error.h"

namespace mapperd::testing {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Le;

class ALoopDetach : public ::testing::Test {
 protected:
  ALoopDetach() {
    loops_.add_file("/srv/a.img", 4096 * 512);
    index_ = loops_.attach_file("/srv/a.img", {}).index;
  }
  // The detach attempts the loop driver saw.
  long detaches() const {
    return std::count(loops_.calls().begin(), loops_.calls().end(),
                      "detach " + std::to_string(index_));
  }
  ErrorKind kind_of_failed_detach(const LoopDetachTiming& timing = {}) {
    try {
      detach_when_udev_lets_go(loops_, &udev_, index_, timing);
    } catch (const Error& e) {
      return e.kind();
    }
    ADD_FAILURE() << "the detach did not fail";
    return ErrorKind::Failed;
  }

  FakeLoopDevices loops_;
  ScriptedUdevActivity udev_;
  std::uint32_t index_ = 0;
};

TEST_F(ALoopDetach, WaitsForUdevsEventsAndDetachesOnceUdevLetsGo) {
  loops_.set_busy(index_, "udev's blkid");
  udev_.events_left = 3;
  udev_.on_settled = [this] { loops_.set_busy(index_, ""); };
  detach_when_udev_lets_go(loops_, &udev_, index_);
  EXPECT_FALSE(loops_.bound_at(index_).has_value());
  EXPECT_EQ(udev_.waits.size(), 3u) << "one wait per udev event, no timer in between";
  EXPECT_EQ(detaches(), 1) << "no detach is tried while udev still holds the device";
}

TEST_F(ALoopDetach, DetachesAtOnceWhenUdevIsSettled) {
  detach_when_udev_lets_go(loops_, &udev_, index_);
  EXPECT_FALSE(loops_.bound_at(index_).has_value());
  EXPECT_TRUE(udev_.waits.empty());
}

TEST_F(ALoopDetach, RefusesALoopHeldBySomethingElseWithoutWaiting) {
  loops_.set_busy(index_, "map onloop");
  EXPECT_EQ(kind_of_failed_detach(), ErrorKind::Busy);
  EXPECT_TRUE(udev_.waits.empty());
  EXPECT_EQ(detaches(), 1) << "a settled udev is not the holder: no retry";
  EXPECT_TRUE(loops_.bound_at(index_).has_value());
}

// udev looked settled, but had not yet read the bind's uevent: the detach finds it probing.
class UdevBusyAfterTheFirstDetach final : public UdevActivity {
 public:
  explicit UdevBusyAfterTheFirstDetach(const FakeLoopDevices& loops) : loops_(loops) {}
  void wait(std::chrono::milliseconds timeout) override {
    waits.push_back(timeout);
    event_seen_ = true;
  }
  // calls() holds the attach, then each detach.
  bool settled() override { return loops_.calls().size() < 2 || event_seen_; }
  std::vector<std::chrono::milliseconds> waits;

 private:
  const FakeLoopDevices& loops_;
  bool event_seen_ = false;
};

TEST_F(ALoopDetach, WaitsAgainWhenUdevTookUpAnEventAfterItSettled) {
  loops_.fail_next("detach", Error(ErrorKind::Busy, "detach /dev/loop0: in use"));
  UdevBusyAfterTheFirstDetach udev(loops_);
  detach_when_udev_lets_go(loops_, &udev, index_);
  EXPECT_FALSE(loops_.bound_at(index_).has_value());
  EXPECT_EQ(udev.waits.size(), 1u);
  EXPECT_EQ(detaches(), 2);
}

TEST_F(ALoopDetach, TriesALastTimeAtItsDeadlineWhenUdevNeverSettles) {
  loops_.set_busy(index_, "map onloop");
  udev_.events_left = -1;
  const LoopDetachTiming timing{.timeout = std::chrono::milliseconds(60),
                                .recheck = std::chrono::milliseconds(25)};
  // Only lower bounds on time: a loaded machine may oversleep any wait, never undersleep it.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(kind_of_failed_detach(timing), ErrorKind::Busy);
  EXPECT_GE(std::chrono::steady_clock::now() - start, timing.timeout);
  EXPECT_EQ(detaches(), 1) << "one try, at the deadline";
  ASSERT_FALSE(udev_.waits.empty());
  EXPECT_EQ(udev_.waits.front(), timing.recheck) << "no single wait is longer than the recheck";
  EXPECT_THAT(udev_.waits, Each(Le(timing.recheck)));
}

TEST_F(ALoopDetach, WithoutUdevDetachesAtOnce) {
  detach_when_udev_lets_go(loops_, nullptr, index_);
  EXPECT_FALSE(loops_.bound_at(index_).has_value());
  EXPECT_THAT(loops_.calls(), ElementsAre("attach /srv/a.img", "detach " + std::to_string(index_)));
}

}  // namespace
}  // namespace mapperd::testing
