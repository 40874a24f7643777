// Tables between the model and the kernel's lines.

#include "kernel/kernel_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "model/error.h"
#include "model/table_parser.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;

class TestBlockDevices final : public BlockDevices {
 public:
  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override {
    if (ref.is_number())
      return ref.number();
    const auto found = paths_.find(ref.text());
    if (found == paths_.end())
      return std::nullopt;
    return found->second;
  }
  std::optional<Sectors> size_of(DeviceNumber) const override { return Sectors(1 << 20); }

  std::map<std::string, DeviceNumber> paths_ = {{"/dev/loop1", {7, 1}}, {"/dev/loop2", {7, 2}}};
};

TargetLine line(std::uint64_t start, std::uint64_t length, std::string type, std::string params) {
  return {Sectors(start), Sectors(length), std::move(type), std::move(params)};
}

TEST(AModelTable, BecomesOneKernelLinePerSegment) {
  const Table table =
      parse_table("0 8192 linear /dev/loop1 0\n8192 12288 linear /dev/loop2 0\n", {});
  EXPECT_THAT(to_target_lines(table), ElementsAre(line(0, 8192, "linear", "/dev/loop1 0"),
                                                  line(8192, 12288, "linear", "/dev/loop2 0")));
}

TEST(AModelTable, TakesTheKernelsNameForTheTutorialsSnapshotTarget) {
  const Table table = parse_table("0 8192 snapshot-target 7:1 7:2 P 8\n", {});
  EXPECT_THAT(to_target_lines(table), ElementsAre(line(0, 8192, "snapshot", "7:1 7:2 P 8")));
}

TEST(KernelLines, ComeBackAsTheSameModelTable) {
  const std::vector<TargetLine> lines = {line(0, 256, "striped", "2 8 7:1 0 7:2 0"),
                                         line(256, 8, "zero", "")};
  EXPECT_EQ(to_target_lines(from_target_lines(lines, {})), lines);
}

TEST(KernelLines, KeepATargetTheKernelListsVerbatim) {
  const std::vector<TargetLine> lines = {
      line(0, 8, "crypt", "aes-xts-plain64 :64:logon:k 0 7:1 0")};
  EXPECT_EQ(to_target_lines(from_target_lines(lines, {"crypt"})), lines);
}

TEST(KernelLines, AreRefusedForATargetNobodyListed) {
  try {
    from_target_lines({line(0, 8, "crypt", "x")}, {});
    FAIL() << "should have been refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidTable);
  }
}

TEST(KernelLines, PrintAsTableText) {
  EXPECT_EQ(format_target_lines({line(0, 8, "linear", "7:1 0"), line(8, 8, "zero", "")}),
            "0 8 linear 7:1 0\n8 8 zero \n");
}

TEST(ATypedTarget, IsOneTheModelHasATypeFor) {
  EXPECT_TRUE(is_typed_target("linear"));
  EXPECT_TRUE(is_typed_target("snapshot-merge"));
  EXPECT_FALSE(is_typed_target("crypt"));
  EXPECT_FALSE(is_typed_target("snapshot-target"));
}

TEST(DeviceNumbers, ReplaceEveryPathOfATable) {
  const Table table = parse_table(
      "0 8 linear /dev/loop1 0\n8 16 striped 2 8 /dev/loop1 0 /dev/loop2 0\n"
      "24 8 snapshot /dev/loop1 7:3 N 8\n",
      {});
  EXPECT_EQ(format_table(with_device_numbers(table, TestBlockDevices())),
            "0 8 linear 7:1 0\n8 16 striped 2 8 7:1 0 7:2 0\n24 8 snapshot 7:1 7:3 N 8\n");
}

TEST(DeviceNumbers, AreRefusedForAPathNamingNoDevice) {
  const Table table = parse_table("0 8 linear /dev/loop9 0\n", {});
  try {
    with_device_numbers(table, TestBlockDevices());
    FAIL() << "should have been refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DeviceMissing);
    EXPECT_STREQ(error.what(), "device /dev/loop9 does not exist");
  }
}

}  // namespace
}  // namespace mapperd
