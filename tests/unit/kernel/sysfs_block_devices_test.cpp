// Block devices as sysfs shows them, on a sysfs tree made for the test.

#include "kernel/sysfs_block_devices.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vector>

#include "temp_dir.h"

namespace mapperd {
namespace {

class SysfsBlockDevicesOverATestTree : public ::testing::Test {
 protected:
  SysfsBlockDevicesOverATestTree() {
    sysfs_.write("dev/block/7:1/size", "8192\n");
    sysfs_.write("dev/block/7:2/size", "not a number\n");
  }

  ~SysfsBlockDevicesOverATestTree() override {
    for (const std::filesystem::path& node : nodes_)
      ::unlink(node.c_str());
  }

  static DeviceRef ref(const std::string& text) {
    const std::optional<DeviceRef> parsed = DeviceRef::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(DeviceRef::of({0, 0}));
  }

  // A block device node for `number`; tables name devices under /dev only, so it goes there.
  std::string make_node(DeviceNumber number) {
    const std::filesystem::path node = "/dev/mapperd-unit-test-" + std::to_string(::getpid()) +
                                       "-" + std::to_string(nodes_.size());
    EXPECT_EQ(::mknod(node.c_str(), S_IFBLK | 0600, ::makedev(number.major, number.minor)), 0)
        << "making " << node << " needs root";
    nodes_.push_back(node);
    return node.string();
  }

  testing::TempDir sysfs_;
  std::vector<std::filesystem::path> nodes_;
  SysfsBlockDevices devices_{sysfs_.path()};
};

TEST_F(SysfsBlockDevicesOverATestTree, KnowsANumberSysfsHas) {
  EXPECT_EQ(devices_.resolve(ref("7:1")), (DeviceNumber{7, 1}));
}

TEST_F(SysfsBlockDevicesOverATestTree, DoesNotKnowANumberSysfsLacks) {
  EXPECT_EQ(devices_.resolve(ref("7:9")), std::nullopt);
}

TEST_F(SysfsBlockDevicesOverATestTree, ReadsTheWritesCompletedFromTheStatFile) {
  // The kernel pads its fields: reads, merges, sectors, ticks, then writes.
  sysfs_.write("dev/block/7:1/stat",
               "     120        3     4096       10      457        0    18432       80\n");
  EXPECT_EQ(devices_.writes_completed({7, 1}), 457u);
  sysfs_.write("dev/block/7:2/stat", "1 2 3\n");
  EXPECT_EQ(devices_.writes_completed({7, 2}), std::nullopt);
  EXPECT_EQ(devices_.writes_completed({7, 9}), std::nullopt);
}

TEST_F(SysfsBlockDevicesOverATestTree, ReadsTheSizeInSectors) {
  EXPECT_EQ(devices_.size_of({7, 1}), Sectors(8192));
}

TEST_F(SysfsBlockDevicesOverATestTree, CallsAnUnreadableSizeUnknown) {
  EXPECT_EQ(devices_.size_of({7, 2}), std::nullopt);
  EXPECT_EQ(devices_.size_of({7, 9}), std::nullopt);
}

TEST_F(SysfsBlockDevicesOverATestTree, DoesNotTakeACharacterDeviceForABlockDevice) {
  EXPECT_EQ(devices_.resolve(ref("/dev/null")), std::nullopt);
}

TEST_F(SysfsBlockDevicesOverATestTree, DoesNotKnowAPathThatIsNotThere) {
  EXPECT_EQ(devices_.resolve(ref("/dev/mapperd-test-no-such-device")), std::nullopt);
}

TEST_F(SysfsBlockDevicesOverATestTree, FollowsABlockNodeToItsNumber) {
  EXPECT_EQ(devices_.resolve(ref(make_node({7, 1}))), (DeviceNumber{7, 1}));
}

TEST_F(SysfsBlockDevicesOverATestTree, DoesNotKnowABlockNodeWhoseDeviceIsGone) {
  EXPECT_EQ(devices_.resolve(ref(make_node({7, 9}))), std::nullopt);
}

}  // namespace
}  // namespace mapperd
