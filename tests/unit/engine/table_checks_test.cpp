// The one table check every use case runs before the kernel sees a table: the kernel's target
// list read as a TableContext, and the devices checked only when the engine knows them.
#include "engine/table_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "fakes/expect_error.h"

namespace mapperd {
namespace {

using ::testing::HasSubstr;

// The one disk the test knows: 7:0, 1000 sectors, at /dev/loop0.
class OneDisk final : public BlockDevices {
 public:
  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override {
    if ((ref.is_number() && ref.number() == kLoop0) ||
        (!ref.is_number() && ref.text() == "/dev/loop0"))
      return kLoop0;
    return std::nullopt;
  }
  std::optional<Sectors> size_of(DeviceNumber device) const override {
    return device == kLoop0 ? std::optional<Sectors>(Sectors{1000}) : std::nullopt;
  }
  static constexpr DeviceNumber kLoop0{7, 0};
};

const std::vector<TargetVersion> kKernelTargets = {
    {"linear", 1, 4, 0}, {"zero", 1, 1, 0}, {"crypt", 1, 24, 0}, {"thin", 1, 22, 0}};

TEST(ATableContext, PassesThroughEveryListedTargetTheModelDoesNotType) {
  const TableContext context = table_context(kKernelTargets);
  EXPECT_EQ(context.passthrough_targets, (std::set<std::string>{"crypt", "thin"}));
  EXPECT_EQ(context.devices, nullptr);
}

TEST(ATableContext, CarriesTheDevicesWhenGiven) {
  const OneDisk devices;
  EXPECT_EQ(table_context(kKernelTargets, &devices).devices, &devices);
}

TEST(ACheckedTable, WithoutDevicesChecksOnlyTheSyntax) {
  const std::vector<TargetLine> lines =
      checked_table("create a", "0 5000 linear /dev/nowhere 0\n", kKernelTargets, nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].type, "linear");
  EXPECT_EQ(lines[0].length, Sectors{5000});
}

TEST(ACheckedTable, AcceptsAPassthroughTargetTheKernelLists) {
  EXPECT_EQ(checked_table("create a", "0 8 thin 253:1 0\n", kKernelTargets, nullptr).size(), 1u);
}

TEST(ACheckedTable, RefusesATargetTheKernelDoesNotList) {
  EXPECT_THAT(
      error_of(ErrorKind::InvalidTable,
               [] { checked_table("create a", "0 8 era 7:0 8\n", kKernelTargets, nullptr); }),
      HasSubstr("era"));
}

TEST(ACheckedTable, SaysAMissingDeviceIsMissingNamingIt) {
  const OneDisk devices;
  EXPECT_THAT(error_of(ErrorKind::DeviceMissing,
                       [&] {
                         checked_table("create a", "0 8 linear /dev/nowhere 0\n", kKernelTargets,
                                       &devices);
                       }),
              HasSubstr("create a: the table names /dev/nowhere"));
}

TEST(ACheckedTable, RefusesASegmentPastItsDevicesEnd) {
  const OneDisk devices;
  EXPECT_THAT(error_of(ErrorKind::InvalidTable,
                       [&] {
                         checked_table("create a", "0 2000 linear /dev/loop0 0\n", kKernelTargets,
                                       &devices);
                       }),
              HasSubstr("create a: the table does not fit its devices"));
}

TEST(ACheckedTable, ReturnsTheLinesOfATableThatFits) {
  const OneDisk devices;
  const std::vector<TargetLine> lines = checked_table(
      "create a", "0 500 linear /dev/loop0 0\n500 500 zero\n", kKernelTargets, &devices);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].start, Sectors{500});
  EXPECT_EQ(lines[1].type, "zero");
}

}  // namespace
}  // namespace mapperd
