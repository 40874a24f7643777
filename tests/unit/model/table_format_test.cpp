// Printing a table the way `dmsetup table` prints the kernel's view of it.
#include <gtest/gtest.h>

#include "model/table.h"
#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

DeviceRef device(std::string_view text) {
  return *DeviceRef::parse(text);
}

std::string format_one(Sectors length, Target target) {
  return format_table(Table{{Segment{Sectors(0), length, std::move(target)}}});
}

SnapshotTarget snapshot_of(SnapshotStore store, std::uint64_t chunk) {
  return SnapshotTarget{false, device("7:1"), device("7:2"), store, Sectors(chunk), false, false};
}

TEST(ATableFormatter, PrintsALinearSegment) {
  EXPECT_EQ(format_one(Sectors(4096), LinearTarget{device("7:1"), Sectors(2048)}),
            "0 4096 linear 7:1 2048\n");
}

TEST(ATableFormatter, PrintsStripeCountChunkSizeThenEachStripe) {
  EXPECT_EQ(format_one(Sectors(128), StripedTarget{Sectors(8),
                                                   {Stripe{device("7:1"), Sectors(0)},
                                                    Stripe{device("7:2"), Sectors(64)}}}),
            "0 128 striped 2 8 7:1 0 7:2 64\n");
}

TEST(ATableFormatter, PrintsASnapshotOrigin) {
  EXPECT_EQ(format_one(Sectors(8), SnapshotOriginTarget{device("7:1")}),
            "0 8 snapshot-origin 7:1\n");
}

TEST(ATableFormatter, PrintsAPersistentSnapshot) {
  EXPECT_EQ(format_one(Sectors(8), snapshot_of(SnapshotStore::Persistent, 8)),
            "0 8 snapshot 7:1 7:2 P 8\n");
}

TEST(ATableFormatter, PrintsAPersistentSnapshotThatReportsOverflow) {
  EXPECT_EQ(format_one(Sectors(8), snapshot_of(SnapshotStore::PersistentOverflow, 8)),
            "0 8 snapshot 7:1 7:2 PO 8\n");
}

TEST(ATableFormatter, PrintsATransientSnapshot) {
  EXPECT_EQ(format_one(Sectors(8), snapshot_of(SnapshotStore::Transient, 16)),
            "0 8 snapshot 7:1 7:2 N 16\n");
}

TEST(ATableFormatter, PrintsOneFeatureAfterItsCount) {
  SnapshotTarget target = snapshot_of(SnapshotStore::Persistent, 8);
  target.discard_zeroes_cow = true;
  EXPECT_EQ(format_one(Sectors(8), target), "0 8 snapshot 7:1 7:2 P 8 1 discard_zeroes_cow\n");
}

TEST(ATableFormatter, PrintsBothFeaturesInTheKernelsOrder) {
  SnapshotTarget target = snapshot_of(SnapshotStore::Persistent, 8);
  target.discard_passdown_origin = true;
  target.discard_zeroes_cow = true;
  EXPECT_EQ(format_one(Sectors(8), target),
            "0 8 snapshot 7:1 7:2 P 8 2 discard_zeroes_cow discard_passdown_origin\n");
}

TEST(ATableFormatter, PrintsASnapshotMergeByItsOwnType) {
  SnapshotTarget target = snapshot_of(SnapshotStore::Persistent, 8);
  target.merge = true;
  EXPECT_EQ(format_one(Sectors(8), target), "0 8 snapshot-merge 7:1 7:2 P 8\n");
}

TEST(ATableFormatter, KeepsTheSpaceDmsetupPrintsAfterATargetWithoutArguments) {
  EXPECT_EQ(format_one(Sectors(8), ZeroTarget{}), "0 8 zero \n");
  EXPECT_EQ(format_one(Sectors(8), ErrorTarget{}), "0 8 error \n");
}

TEST(ATableFormatter, PrintsAPassthroughTargetsWordsAsWritten) {
  EXPECT_EQ(format_one(Sectors(8), PassthroughTarget{"thin", {"253:0", "1"}}),
            "0 8 thin 253:0 1\n");
}

TEST(ATableFormatter, PrintsOneLinePerSegment) {
  const Table table{{Segment{Sectors(0), Sectors(8), ZeroTarget{}},
                     Segment{Sectors(8), Sectors(8), LinearTarget{device("7:1"), Sectors(0)}}}};
  EXPECT_EQ(format_table(table), "0 8 zero \n8 8 linear 7:1 0\n");
}

TEST(ATableFormatter, PrintsNothingForAnEmptyTable) {
  EXPECT_EQ(format_table(Table{}), "");
}

TEST(ATableFormatter, PrintsDevicePathsAsWritten) {
  EXPECT_EQ(format_one(Sectors(8), LinearTarget{device("/dev/loop1"), Sectors(0)}),
            "0 8 linear /dev/loop1 0\n");
}

TEST(ATargetType, IsTheKernelsNameForTheTarget) {
  EXPECT_EQ(target_type(LinearTarget{device("7:1"), Sectors(0)}), "linear");
  EXPECT_EQ(target_type(StripedTarget{Sectors(8), {}}), "striped");
  EXPECT_EQ(target_type(SnapshotOriginTarget{device("7:1")}), "snapshot-origin");
  EXPECT_EQ(target_type(snapshot_of(SnapshotStore::Persistent, 8)), "snapshot");
  EXPECT_EQ(target_type(ZeroTarget{}), "zero");
  EXPECT_EQ(target_type(ErrorTarget{}), "error");
  EXPECT_EQ(target_type(PassthroughTarget{"crypt", {}}), "crypt");
}

TEST(ATargetsArguments, AreWhatTheKernelPrintsAsParameters) {
  EXPECT_EQ(format_target_args(LinearTarget{device("7:1"), Sectors(8)}), "7:1 8");
  EXPECT_EQ(format_target_args(ZeroTarget{}), "");
}

TEST(ATablesDevices, AreListedOnceInTheOrderTheyAreFirstUsed) {
  const Table table = parse_table(
      "0 8 snapshot /dev/loop1 7:2 P 8\n"
      "8 16 striped 2 8 7:2 0 7:3 0\n"
      "24 8 linear /dev/loop1 0\n"
      "32 8 thin 7:9 1\n",
      TableContext{{"thin"}, nullptr});
  EXPECT_EQ(referenced_devices(table),
            (std::vector<DeviceRef>{device("/dev/loop1"), device("7:2"), device("7:3")}));
}

TEST(ATablesDevices, CanAllBeReplacedLikeTheKernelReplacesPathsWithNumbers) {
  const Table table = parse_table(
      "0 8 linear /dev/loop1 0\n"
      "8 16 striped 2 8 /dev/loop1 8 /dev/loop2 0\n"
      "24 8 snapshot-origin /dev/loop1\n"
      "32 8 snapshot /dev/loop1 /dev/loop2 N 8\n",
      {});
  const Table numbered = with_devices_replaced(table, [](const DeviceRef& ref) {
    return DeviceRef::of(DeviceNumber{7, ref.text() == "/dev/loop1" ? 1u : 2u});
  });
  EXPECT_EQ(format_table(numbered),
            "0 8 linear 7:1 0\n"
            "8 16 striped 2 8 7:1 8 7:2 0\n"
            "24 8 snapshot-origin 7:1\n"
            "32 8 snapshot 7:1 7:2 N 8\n");
}

}  // namespace
}  // namespace mapperd
