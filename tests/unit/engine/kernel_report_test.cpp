// What the kernel reports, turned into the catalog's values: captured kernel lines in, text out.

#include "engine/kernel_report.h"

#include <gtest/gtest.h>

namespace mapperd {
namespace {

TEST(KernelTableText, PrintsOneLinePerSegmentAsDmsetupDoes) {
  EXPECT_EQ(format_kernel_table({{Sectors(0), Sectors(8), "linear", "7:1 0"},
                                 {Sectors(8), Sectors(8), "zero", ""}}),
            "0 8 linear 7:1 0\n8 8 zero \n");
}

TEST(KernelTableText, MasksKeysInTheTableButNotInTheStatus) {
  const std::vector<TargetLine> lines{{Sectors(0), Sectors(8), "crypt", "aes 99 0 7:1 0"}};
  EXPECT_EQ(format_kernel_table(lines), "0 8 crypt aes 00 0 7:1 0\n");
  EXPECT_EQ(format_status_lines(lines), "0 8 crypt aes 99 0 7:1 0\n");
}

TEST(SnapshotUsage, ReadsAllocatedTotalAndMetadata) {
  const auto usage = parse_snapshot_usage("16/2097152 16");
  ASSERT_TRUE(usage.has_value());
  EXPECT_EQ(usage->allocated, Sectors(16));
  EXPECT_EQ(usage->total, Sectors(2097152));
  EXPECT_EQ(usage->metadata, Sectors(16));
  EXPECT_FALSE(usage->invalid);
}

TEST(SnapshotUsage, MarksAnInvalidOrOverflowedSnapshot) {
  EXPECT_TRUE(parse_snapshot_usage("Invalid")->invalid);
  EXPECT_TRUE(parse_snapshot_usage("Overflow")->invalid);
}

TEST(SnapshotUsage, IgnoresAnythingElse) {
  EXPECT_FALSE(parse_snapshot_usage("Merge failed").has_value());
  EXPECT_FALSE(parse_snapshot_usage("16/x 16").has_value());
  EXPECT_FALSE(parse_snapshot_usage("").has_value());
}

TEST(TableSize, IsWhereTheLastSegmentEnds) {
  EXPECT_EQ(
      table_size({{Sectors(0), Sectors(8), "zero", ""}, {Sectors(8), Sectors(4), "zero", ""}}),
      Sectors(12));
  EXPECT_EQ(table_size({}), Sectors(0));
}

}  // namespace
}  // namespace mapperd
