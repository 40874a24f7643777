// A table checked against the host's block devices: every device exists, every segment fits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ATableCheckedAgainstDevices : public ::testing::Test {
 protected:
  ATableCheckedAgainstDevices() {
    devices_.add("/dev/loop1", DeviceNumber{7, 1}, Sectors(4096))
        .add("/dev/loop2", DeviceNumber{7, 2}, Sectors(2048))
        .add("/dev/sdz", DeviceNumber{8, 400}, std::nullopt);
    context_.devices = &devices_;
  }

  std::vector<std::string> problems(std::string_view text) { return problems_in(text, context_); }

  FakeBlockDevices devices_;
  TableContext context_;
};

TEST_F(ATableCheckedAgainstDevices, AcceptsALinearSegmentThatEndsAtTheEndOfItsDevice) {
  EXPECT_THAT(problems("0 1024 linear /dev/loop1 3072\n"), IsEmpty());
}

TEST_F(ATableCheckedAgainstDevices, RefusesALinearSegmentOneSectorPastTheEndOfItsDevice) {
  EXPECT_THAT(problems("0 1025 linear /dev/loop1 3072\n"),
              ElementsAre("line 1: length: offset 3072 + length 1025 runs past the end of "
                          "/dev/loop1 (4096 sectors)"));
}

TEST_F(ATableCheckedAgainstDevices, RefusesADeviceThatDoesNotExist) {
  EXPECT_THAT(problems("0 8 linear /dev/loop9 0\n"),
              ElementsAre("line 1: device: no such block device /dev/loop9"));
}

TEST_F(ATableCheckedAgainstDevices, RefusesADeviceNumberThatDoesNotExist) {
  EXPECT_THAT(problems("0 8 linear 7:9 0\n"),
              ElementsAre("line 1: device: no such block device 7:9"));
}

TEST_F(ATableCheckedAgainstDevices, FindsDevicesByNumberToo) {
  EXPECT_THAT(problems("0 4096 linear 7:1 0\n"), IsEmpty());
}

TEST_F(ATableCheckedAgainstDevices, CannotCheckTheSizeOfADeviceWhoseSizeIsUnknown) {
  EXPECT_THAT(problems("0 999999 linear /dev/sdz 0\n"), IsEmpty());
}

TEST_F(ATableCheckedAgainstDevices, AcceptsStripesThatEndAtTheEndOfTheirDevices) {
  // 4096 sectors over 2 stripes: 2048 of each device.
  EXPECT_THAT(problems("0 4096 striped 2 8 /dev/loop1 2048 /dev/loop2 0\n"), IsEmpty());
}

TEST_F(ATableCheckedAgainstDevices, RefusesAStripePastTheEndOfItsDevice) {
  EXPECT_THAT(problems("0 4096 striped 2 8 /dev/loop1 0 /dev/loop2 8\n"),
              ElementsAre("line 1: length: offset 8 + length per stripe 2048 runs past the end of "
                          "/dev/loop2 (2048 sectors)"));
}

TEST_F(ATableCheckedAgainstDevices, RefusesEachMissingStripeDevice) {
  EXPECT_THAT(problems("0 16 striped 2 8 /dev/loop8 0 /dev/loop9 0\n"),
              ElementsAre("line 1: device: no such block device /dev/loop8",
                          "line 1: device: no such block device /dev/loop9"));
}

TEST_F(ATableCheckedAgainstDevices, AcceptsASnapshotOriginAsLongAsItsOrigin) {
  EXPECT_THAT(problems("0 4096 snapshot-origin /dev/loop1\n"), IsEmpty());
}

TEST_F(ATableCheckedAgainstDevices, RefusesASnapshotOriginLongerThanItsOrigin) {
  EXPECT_THAT(problems("0 4097 snapshot-origin /dev/loop1\n"),
              ElementsAre("line 1: length: length 4097 runs past the end of /dev/loop1 (4096 "
                          "sectors)"));
}

TEST_F(ATableCheckedAgainstDevices, RefusesASnapshotOriginThatDoesNotExist) {
  EXPECT_THAT(problems("0 8 snapshot-origin /dev/loop9\n"),
              ElementsAre("line 1: origin: no such block device /dev/loop9"));
}

TEST_F(ATableCheckedAgainstDevices, RefusesASnapshotWhoseCowDoesNotExist) {
  EXPECT_THAT(problems("0 4096 snapshot /dev/loop1 /dev/loop9 P 8\n"),
              ElementsAre("line 1: COW device: no such block device /dev/loop9"));
}

TEST_F(ATableCheckedAgainstDevices, RefusesASnapshotWhoseCowIsItsOrigin) {
  EXPECT_THAT(problems("0 4096 snapshot /dev/loop1 7:1 P 8\n"),
              ElementsAre("line 1: COW device: the COW device 7:1 is the origin itself (7:1)"));
}

TEST_F(ATableCheckedAgainstDevices, ChecksNothingOnALineThatIsAlreadyWrong) {
  EXPECT_THAT(problems("0 8 linear /dev/loop9 x\n"),
              ElementsAre("line 1: offset: 'x' is not a plain decimal number"));
}

TEST_F(ATableCheckedAgainstDevices, StillChecksTheDevicesOfASegmentThatLeavesAGap) {
  EXPECT_THAT(
      problems("0 8 zero\n16 8 linear /dev/loop9 0\n"),
      ElementsAre("line 2: start: segment starts at 16 but the previous one ends at 8 (gap)",
                  "line 2: device: no such block device /dev/loop9"));
}

TEST_F(ATableCheckedAgainstDevices, DoesNotCheckTheSizeOfASegmentWhoseOffsetOverflows) {
  EXPECT_THAT(problems("0 8 linear /dev/loop1 18446744073709551615\n"),
              ElementsAre("line 1: offset: offset 18446744073709551615 + length 8 does not fit "
                          "in 64 bits"));
}

// A table that is good but for devices not there yet may come up later: the caller can tell.
TEST_F(ATableCheckedAgainstDevices, IsRefusedAsDeviceMissingWhenThatIsItsOnlyProblem) {
  try {
    parse_table("0 8 linear /dev/loop9 0\n", context_);
    FAIL() << "parse_table accepted a missing device";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DeviceMissing);
    EXPECT_STREQ(error.what(), "line 1: device: no such block device /dev/loop9");
  }
}

TEST_F(ATableCheckedAgainstDevices, IsRefusedAsInvalidWhenAMissingDeviceIsNotItsOnlyProblem) {
  try {
    parse_table("0 8 zero\n16 8 linear /dev/loop9 0\n", context_);
    FAIL() << "parse_table accepted a gap";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidTable);
  }
}

TEST(ATableCheckedWithoutDevices, DoesNotAskWhetherDevicesExist) {
  EXPECT_THAT(problems_in("0 8 linear /dev/loop9 0\n"), IsEmpty());
}

}  // namespace
}  // namespace mapperd
