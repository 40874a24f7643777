// The fill thresholds and the write-count bookkeeping behind the engine's fill watch.

#include "engine/snapshot_fill.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SnapshotUsage used(std::uint64_t allocated, std::uint64_t total = 1000) {
  return SnapshotUsage{Sectors(allocated), Sectors(total), Sectors(8), false};
}

const std::vector<unsigned> kDefault = fill_thresholds_of(SnapshotPolicy{});

TEST(FillPercent, IsTheAllocatedShareOfTheCowAndFullWhenInvalid) {
  EXPECT_DOUBLE_EQ(fill_percent(used(250)), 25.0);
  EXPECT_DOUBLE_EQ(fill_percent(used(0, 0)), 0.0);
  EXPECT_DOUBLE_EQ(fill_percent(SnapshotUsage{Sectors(0), Sectors(0), Sectors(0), true}), 100.0);
}

TEST(ASnapshotFillWatch, AnnouncesEachThresholdOnceAndOnlyTheHighestOfAJump) {
  SnapshotFillWatch watch;
  EXPECT_EQ(watch.crossed("snap", used(700), kDefault), std::nullopt);
  EXPECT_EQ(watch.crossed("snap", used(810), kDefault), 80u);
  EXPECT_EQ(watch.crossed("snap", used(830), kDefault), std::nullopt);
  EXPECT_EQ(watch.crossed("snap", used(960), kDefault), 95u);
  EXPECT_EQ(watch.crossed("snap", used(999), kDefault), std::nullopt);
  EXPECT_EQ(watch.crossed("snap", used(1000), kDefault), 100u);
  EXPECT_EQ(watch.crossed("other", used(900), kDefault), 90u);
}

TEST(ASnapshotFillWatch, AnnouncesAgainAfterTheUseFell) {
  SnapshotFillWatch watch;
  EXPECT_EQ(watch.crossed("snap", used(850), kDefault), 85u);
  EXPECT_EQ(watch.crossed("snap", used(100), kDefault), std::nullopt);
  EXPECT_EQ(watch.crossed("snap", used(820), kDefault), 80u);
}

TEST(ASnapshotFillWatch, AnnouncesASnapshotsOwnThresholds) {
  SnapshotFillWatch watch;
  const std::vector<unsigned> own{50, 90};
  EXPECT_EQ(watch.crossed("snap", used(490), own), std::nullopt);
  EXPECT_EQ(watch.crossed("snap", used(600), own), 50u);
  EXPECT_EQ(watch.crossed("snap", used(850), own), std::nullopt);
  EXPECT_EQ(watch.crossed("snap", used(900), own), 90u);
}

TEST(ASnapshotFillWatch, LeavesAnInvalidSnapshotToItsOwnAnnouncement) {
  SnapshotFillWatch watch;
  EXPECT_EQ(
      watch.crossed("snap", SnapshotUsage{Sectors(0), Sectors(0), Sectors(0), true}, kDefault),
      std::nullopt);
}

TEST(ASnapshotFillWatch, ForgetsAGoneSnapshotsMarks) {
  SnapshotFillWatch watch;
  EXPECT_EQ(watch.crossed("snap", used(850), kDefault), 85u);
  watch.forget("snap");
  EXPECT_EQ(watch.crossed("snap", used(850), kDefault), 85u);
}

TEST(ASnapshotFillWatch, NamesTheSnapshotsWrittenSinceTheLastLook) {
  SnapshotFillWatch watch;
  // The first look names every snapshot: it may have been written since it was read.
  EXPECT_THAT(watch.written_since_last_look({{"a", {1, 1}}, {"b", {5, 5}}}), ElementsAre("a", "b"));
  EXPECT_THAT(watch.written_since_last_look({{"a", {1, 1}}, {"b", {5, 5}}}), IsEmpty());
  // A write to b's origin, then to a itself.
  EXPECT_THAT(watch.written_since_last_look({{"a", {1, 1}}, {"b", {5, 6}}}), ElementsAre("b"));
  EXPECT_THAT(watch.written_since_last_look({{"a", {2, 1}}, {"b", {5, 6}}}), ElementsAre("a"));
  // b went; a snapshot of that name that comes back is new.
  EXPECT_THAT(watch.written_since_last_look({{"a", {2, 1}}}), IsEmpty());
  EXPECT_THAT(watch.written_since_last_look({{"a", {2, 1}}, {"b", {0, 0}}}), ElementsAre("b"));
}

}  // namespace
}  // namespace mapperd
