// The engine's fill watch over the fake kernel: snapshots read again when written (by the write
// counts a test moves by hand), thresholds and invalidation announced, and nothing at all done
// while nothing is written or no snapshot exists.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

class AnEngineWatchingFill : public EngineFixture {
 protected:
  AnEngineWatchingFill() {
    // Looks every 5 ms here; each timer it asks for is counted.
    engine_.set_scheduler([this](std::chrono::milliseconds delay, std::function<void()> then) {
      ++timers_;
      loop_.after(delay, std::move(then));
    },
                          std::chrono::milliseconds(5), std::chrono::milliseconds(20));
    engine_.set_fill_watch(
        [this](DeviceNumber device) -> std::optional<std::uint64_t> {
          if (unreadable_)
            return std::nullopt;
          return writes_[device];
        },
        std::chrono::milliseconds(5));
    start_engine();
    create("origin", linear_table());
  }

  void make_snapshot() {
    snapshot("origin", "snap");  // COW /dev/cow1: 2048 sectors
    observer_.events.clear();
    settle();
  }
  void set_cow_usage(std::uint64_t allocated) {
    on_kernel([allocated](FakeKernelBackend& fake) {
      fake.set_cow_usage(kCow1, Sectors(allocated), Sectors(16));
    });
  }
  void write_to(const std::string& name) { ++writes_[map(name).device]; }
  // The kernel invalidates snap (its COW overflowed).
  void invalidate_snap() {
    on_kernel([](FakeKernelBackend& fake) { fake.invalidate_cow(kCow1); });
  }
  // What main does when the kernel raises a device-mapper event, run to completion.
  void device_mapper_event() {
    std::optional<Outcome<Done>> read;
    engine_.request_snapshot_rescan(into(read));
    wait_for(read).value_or_throw();
  }
  // A few of the watch's looks go by.
  void settle() { loop_.run_until([] { return false; }, std::chrono::milliseconds(40)); }
  bool heard(const std::string& event) {
    return loop_.run_until(
        [&] {
          return std::find(observer_.events.begin(), observer_.events.end(), event) !=
                 observer_.events.end();
        },
        std::chrono::seconds(10));
  }

  std::map<DeviceNumber, std::uint64_t> writes_;
  bool unreadable_ = false;
  int timers_ = 0;
};

TEST_F(AnEngineWatchingFill, ReadsAWrittenSnapshotAgainAndAnnouncesTheThresholdAfterTheFigures) {
  make_snapshot();
  set_cow_usage(1700);  // 83 % of 2048
  write_to("origin");
  ASSERT_TRUE(heard("filled snap 80%"));
  EXPECT_THAT(observer_.events, ElementsAre("changed snap: Usage", "filled snap 80%"));
  EXPECT_EQ(map("snap").usage->allocated, Sectors(1700));

  set_cow_usage(1720);  // 84 %: a new figure, no new threshold
  write_to("snap");
  ASSERT_TRUE(heard("changed snap: Usage"));
  settle();
  EXPECT_THAT(observer_.events, Contains("filled snap 80%"));
  EXPECT_THAT(observer_.events, Not(Contains("filled snap 85%")));
}

TEST_F(AnEngineWatchingFill, SeesWritesMadeBeforeItsFirstLook) {
  snapshot("origin", "snap");
  set_cow_usage(1700);  // written before the watch ever looked: no count to compare with
  EXPECT_TRUE(heard("filled snap 80%"));
}

TEST_F(AnEngineWatchingFill, AsksTheKernelNothingWhileNothingIsWritten) {
  make_snapshot();
  set_cow_usage(1700);
  const std::size_t reads = kernel_reads().size();
  settle();
  EXPECT_EQ(kernel_reads().size(), reads);
  EXPECT_THAT(observer_.events, IsEmpty());
}

TEST_F(AnEngineWatchingFill, ReadsEveryLookWhenTheWriteCountsCannotBeRead) {
  make_snapshot();
  set_cow_usage(1700);
  unreadable_ = true;
  EXPECT_TRUE(heard("filled snap 80%"));
}

TEST_F(AnEngineWatchingFill, RunsNoTimerWithoutSnapshots) {
  settle();
  EXPECT_EQ(timers_, 0);
  make_snapshot();
  EXPECT_GT(timers_, 0);
  remove("snap");
  settle();
  const int after_removal = timers_;
  settle();
  EXPECT_EQ(timers_, after_removal);
}

TEST_F(AnEngineWatchingFill, AnnouncesAnInvalidationOnceAtADeviceMapperEvent) {
  make_snapshot();
  invalidate_snap();
  device_mapper_event();
  EXPECT_THAT(observer_.events, ElementsAre("changed snap: State Usage", "invalidated snap"));
  EXPECT_EQ(map("snap").state, MapState::Failed);
  EXPECT_EQ(map("origin").state, MapState::Active);

  observer_.events.clear();
  device_mapper_event();
  EXPECT_THAT(observer_.events, IsEmpty());
}

TEST_F(AnEngineWatchingFill, LeavesAnInvalidSnapshotAlone) {
  make_snapshot();
  invalidate_snap();
  device_mapper_event();
  const std::size_t reads = kernel_reads().size();
  write_to("origin");
  settle();
  EXPECT_EQ(kernel_reads().size(), reads);
}

TEST_F(AnEngineWatchingFill, ReadsNothingAtADeviceMapperEventWithoutSnapshots) {
  const std::size_t reads = kernel_reads().size();
  std::optional<Outcome<Done>> read;
  engine_.request_snapshot_rescan(into(read));
  EXPECT_TRUE(read.has_value());
  EXPECT_EQ(kernel_reads().size(), reads);
}

}  // namespace
}  // namespace mapperd::testing
