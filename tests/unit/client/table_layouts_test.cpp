#include "table_layouts.h"

#include <gtest/gtest.h>

#include "exit_status.h"
#include "status_of.h"

namespace mapperctl {
namespace {

using mapperd::format_table;
using mapperd::Sectors;

// Two loop devices of odd sizes, so rounding shows.
const Extent kLoop1{"/dev/loop1", Sectors(0), Sectors(4097)};
const Extent kLoop2{"/dev/loop2", Sectors(0), Sectors(6000)};

TEST(AConcatenation, PutsTwoDisksEndToEndAsTheTutorialsTwoasone) {
  EXPECT_EQ(format_table(concat_table({kLoop1, kLoop2})),
            "0 4097 linear /dev/loop1 0\n"
            "4097 6000 linear /dev/loop2 0\n");
}

TEST(AConcatenation, OfHalfADiskAndADiskIsTheTutorialsOneahalf) {
  const Extent second_half = resolve_extent(ExtentSpec::parse("/dev/loop1@1/2"), Sectors(4097));
  EXPECT_EQ(format_table(concat_table({second_half, kLoop2})),
            "0 2049 linear /dev/loop1 2048\n"
            "2049 6000 linear /dev/loop2 0\n");
}

TEST(AConcatenation, NeedsAtLeastOneRange) {
  EXPECT_EQ(status_of([] { concat_table({}); }), ExitStatus::Usage);
}

TEST(AConcatenation, RefusesADeviceThatIsNeitherAPathNorANumber) {
  EXPECT_EQ(status_of([] {
              concat_table({{"loop1", Sectors(0), Sectors(8)}});
            }),
            ExitStatus::Usage);
}

TEST(ASplit, CutsADeviceIntoTwoMapsThatCoverIt) {
  const auto [first, second] = split_tables(kLoop1, Sectors(2048));
  EXPECT_EQ(format_table(first), "0 2048 linear /dev/loop1 0\n");
  EXPECT_EQ(format_table(second), "0 2049 linear /dev/loop1 2048\n");
}

TEST(ASplit, OfARangeKeepsTheRangesOffset) {
  const auto [first, second] = split_tables({"/dev/loop2", Sectors(100), Sectors(50)}, Sectors(20));
  EXPECT_EQ(format_table(first), "0 20 linear /dev/loop2 100\n");
  EXPECT_EQ(format_table(second), "0 30 linear /dev/loop2 120\n");
}

TEST(ASplit, MustLeaveSomethingOnBothSides) {
  EXPECT_EQ(status_of([] { split_tables(kLoop1, Sectors(0)); }), ExitStatus::Usage);
  EXPECT_EQ(status_of([] { split_tables(kLoop1, Sectors(4097)); }), ExitStatus::Usage);
}

TEST(AStripe, UsesTheShortestDeviceRoundedDownToWholeChunks) {
  // 4097 sectors hold 512 chunks of 8: each stripe 4096, the map 2 * 4096.
  EXPECT_EQ(format_table(stripe_table({kLoop1, kLoop2}, Sectors(8))),
            "0 8192 striped 2 8 /dev/loop1 0 /dev/loop2 0\n");
}

TEST(AStripe, StartsEachStripeAtItsRangesOffset) {
  EXPECT_EQ(format_table(stripe_table({{"/dev/loop1", Sectors(16), Sectors(128)},
                                       {"/dev/loop2", Sectors(0), Sectors(128)},
                                       {"/dev/loop3", Sectors(64), Sectors(200)}},
                                      Sectors(128))),
            "0 384 striped 3 128 /dev/loop1 16 /dev/loop2 0 /dev/loop3 64\n");
}

TEST(AStripe, NeedsTwoDevicesAndAChunkThatFits) {
  EXPECT_EQ(status_of([] { stripe_table({kLoop1}, Sectors(8)); }), ExitStatus::Usage);
  EXPECT_EQ(status_of([] { stripe_table({kLoop1, kLoop2}, Sectors(0)); }), ExitStatus::Usage);
  EXPECT_EQ(status_of([] { stripe_table({kLoop1, kLoop2}, Sectors(8192)); }), ExitStatus::Usage);
}

}  // namespace
}  // namespace mapperctl
