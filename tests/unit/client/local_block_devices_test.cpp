#include "local_block_devices.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "exit_status.h"

namespace mapperctl {
namespace {

namespace fs = std::filesystem;

// A sysfs tree in a temporary directory with one block device, 7:1 of 4097 sectors.
class ALocalBlockDevices : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("mapperctl-sysfs-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "dev/block/7:1");
    std::ofstream(root_ / "dev/block/7:1/size") << "4097\n";
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
};

TEST_F(ALocalBlockDevices, ReadsADevicesSizeFromSysfs) {
  const LocalBlockDevices devices(root_.string());
  EXPECT_EQ(devices.size_of(mapperd::DeviceNumber{7, 1}), mapperd::Sectors(4097));
  EXPECT_EQ(devices.size_of("7:1"), mapperd::Sectors(4097));
}

TEST_F(ALocalBlockDevices, ResolvesADeviceNumberThatSysfsKnows) {
  const LocalBlockDevices devices(root_.string());
  EXPECT_EQ(devices.resolve(mapperd::DeviceRef::of({7, 1})), (mapperd::DeviceNumber{7, 1}));
  EXPECT_FALSE(devices.resolve(mapperd::DeviceRef::of({7, 2})));
}

TEST_F(ALocalBlockDevices, CallsAMissingDeviceMissing) {
  const LocalBlockDevices devices(root_.string());
  try {
    devices.size_of("/dev/no-such-device-here");
    FAIL() << "a missing device had a size";
  } catch (const CommandError& error) {
    EXPECT_EQ(error.status(), ExitStatus::DeviceMissing);
    EXPECT_STREQ(error.what(), "/dev/no-such-device-here is not a block device");
  }
}

TEST_F(ALocalBlockDevices, CallsAFileThatIsNoBlockDeviceMissing) {
  const LocalBlockDevices devices(root_.string());
  EXPECT_FALSE(devices.resolve(*mapperd::DeviceRef::parse("/dev/null")));
}

}  // namespace
}  // namespace mapperctl
