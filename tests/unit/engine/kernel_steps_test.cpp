// The kernel steps of Remove on the fake kernel: the fold-back of a snapshot layer into its origin
// checks, on the kernel thread, that the origin it names is still mapperd's origin over that
// layer, since another tool may have taken the name after the engine planned the removal.

#include "engine/kernel_steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/fake_kernel_backend.h"

namespace mapperd {
namespace {

using ::testing::HasSubstr;

constexpr DeviceNumber kDisk{7, 1};

class AFoldBack : public ::testing::Test {
 protected:
  AFoldBack() {
    fake_.add_block_device(kDisk, Sectors(8192), "/dev/loop1");
    layer_ = fake_.create({"vol-real", "MAPPERD-vol-real", {line("linear", "7:1 0")}, false});
    fake_.create({"snap", "MAPPERD-snap", {line("zero", "")}, false});
  }
  static TargetLine line(const std::string& type, const std::string& params) {
    return {Sectors(0), Sectors(4096), type, params};
  }
  RemovalSteps steps() const {
    RemovalSteps steps;
    steps.name = "snap";
    steps.fold_origin = "vol";
    steps.fold_layer = "vol-real";
    return steps;
  }

  FakeKernelBackend fake_;
  MapInfo layer_;
};

TEST_F(AFoldBack, ReloadsOurOriginWithItsLayersTable) {
  fake_.create({"vol", "MAPPERD-vol", {line("snapshot-origin", layer_.device.to_string())}, false});
  remove_with_layers(fake_, steps());
  EXPECT_EQ(fake_.table("vol"), (std::vector<TargetLine>{line("linear", "7:1 0")}));
  EXPECT_EQ(fake_.info("vol-real"), std::nullopt);
}

TEST_F(AFoldBack, LeavesAMapAnotherToolMadeUnderTheOriginsNameAlone) {
  fake_.create({"vol", "LVM-abcdef", {line("zero", "")}, false});
  const std::vector<TargetLine> before = fake_.table("vol");
  try {
    remove_with_layers(fake_, steps());
    FAIL() << "the fold-back should have been refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotOwned) << e.what();
  }
  EXPECT_EQ(fake_.table("vol"), before);
  EXPECT_TRUE(fake_.info("vol-real")) << "the layer is kept: nothing was folded into it";
}

TEST_F(AFoldBack, LeavesOneOfOurMapsThatIsNoLongerTheLayersOriginAlone) {
  fake_.create({"vol", "MAPPERD-vol", {line("linear", "7:1 0")}, false});
  try {
    remove_with_layers(fake_, steps());
    FAIL() << "the fold-back should have been refused";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("not the snapshot-origin of vol-real"));
  }
  EXPECT_EQ(fake_.table("vol"), (std::vector<TargetLine>{line("linear", "7:1 0")}));
  EXPECT_TRUE(fake_.info("vol-real"));
}

}  // namespace
}  // namespace mapperd
