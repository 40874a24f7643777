// The tables of the dmsetup tutorial (SIZE1 = SIZE2 = 4096 sectors), read, checked against the
// tutorial's loop devices and printed as the kernel would print them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

using ::testing::IsEmpty;

struct TutorialTable {
  const char* name;
  const char* written;  // as the tutorial's shell commands write it
  const char* printed;  // as `dmsetup table` prints it once the kernel holds it
};

const TutorialTable kTutorialTables[] = {
    {"twoasone", "0 4096 linear /dev/loop1 0\n4096 4096 linear /dev/loop2 0\n",
     "0 4096 linear 7:1 0\n4096 4096 linear 7:2 0\n"},
    {"halfdisk", "0 2048 linear /dev/loop1 0\n", "0 2048 linear 7:1 0\n"},
    {"oneahalf", "0 2048 linear /dev/loop1 2048\n2048 4096 linear /dev/loop2 0\n",
     "0 2048 linear 7:1 2048\n2048 4096 linear 7:2 0\n"},
    {"origin", "0 4096 snapshot-origin /dev/loop1\n", "0 4096 snapshot-origin 7:1\n"},
    {"snapshot_p8", "0 4096 snapshot-target /dev/loop1 /dev/loop2 P 8\n",
     "0 4096 snapshot 7:1 7:2 P 8\n"},
    {"snapshot_n16", "0 4096 snapshot-target /dev/loop1 /dev/loop2 N 16\n",
     "0 4096 snapshot 7:1 7:2 N 16\n"},
    {"striped", "0 128 striped 2 8 /dev/loop1 0 /dev/loop2 0\n", "0 128 striped 2 8 7:1 0 7:2 0\n"},
};

class TheTutorialTables : public ::testing::TestWithParam<TutorialTable> {
 protected:
  TheTutorialTables() {
    loops_.add("/dev/loop1", DeviceNumber{7, 1}, Sectors(4096))
        .add("/dev/loop2", DeviceNumber{7, 2}, Sectors(4096));
    context_.devices = &loops_;
  }

  // What the kernel does to a table it loads: every path becomes the device's number.
  Table as_the_kernel_holds_it(const Table& table) const {
    return with_devices_replaced(
        table, [this](const DeviceRef& ref) { return DeviceRef::of(*loops_.resolve(ref)); });
  }

  FakeBlockDevices loops_;
  TableContext context_;
};

TEST_P(TheTutorialTables, AreValidOnTheTutorialsLoopDevices) {
  EXPECT_THAT(check_table(GetParam().written, context_), IsEmpty());
}

TEST_P(TheTutorialTables, PrintAsDmsetupPrintsThemOnceTheKernelHoldsThem) {
  const Table table = parse_table(GetParam().written, context_);
  EXPECT_EQ(format_table(as_the_kernel_holds_it(table)), GetParam().printed);
}

TEST_P(TheTutorialTables, ReadBackFromWhatDmsetupPrintsAsTheSameTable) {
  const Table printed = parse_table(GetParam().printed, context_);
  EXPECT_EQ(printed, as_the_kernel_holds_it(parse_table(GetParam().written, context_)));
  EXPECT_EQ(format_table(printed), GetParam().printed);
}

TEST_P(TheTutorialTables, PrintAsWrittenWhileTheyStillNamePaths) {
  const Table table = parse_table(GetParam().written, context_);
  EXPECT_EQ(parse_table(format_table(table), context_), table);
}

INSTANTIATE_TEST_SUITE_P(Tutorial, TheTutorialTables, ::testing::ValuesIn(kTutorialTables),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TheTutorialsTwoasone, IsAsLongAsBothLoopDevicesTogether) {
  EXPECT_EQ(parse_table(kTutorialTables[0].written, {}).size(), Sectors(8192));
}

TEST(ATableRoundTrip, DropsCommentsAndExtraSpaces) {
  EXPECT_EQ(format_table(parse_table("# mine\n0   8\tlinear  7:1   0\n\n8 8 zero\n", {})),
            "0 8 linear 7:1 0\n8 8 zero \n");
}

TEST(ATableRoundTrip, PrintsAFeatureCountOfZeroAsNoFeatures) {
  EXPECT_EQ(format_table(parse_table("0 8 snapshot 7:1 7:2 P 8 0\n", {})),
            "0 8 snapshot 7:1 7:2 P 8\n");
}

TEST(ATableRoundTrip, KeepsEveryTargetsArguments) {
  const std::string kernel_text =
      "0 8 linear 7:1 0\n"
      "8 16 striped 2 8 7:1 8 7:2 0\n"
      "24 8 snapshot-origin 7:1\n"
      "32 8 snapshot 7:1 7:2 PO 8 2 discard_zeroes_cow discard_passdown_origin\n"
      "40 8 snapshot-merge 7:1 7:2 P 8\n"
      "48 8 zero \n"
      "56 8 error \n"
      "64 8 thin 253:0 1\n";
  EXPECT_EQ(format_table(parse_table(kernel_text, TableContext{{"thin"}, nullptr})), kernel_text);
}

}  // namespace
}  // namespace mapperd
