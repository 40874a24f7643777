// What the real backend does on a kernel without device-mapper (the build host's): refuse
// clearly, before libdevmapper is touched. Everything else it does is tested in the guest.

#include "kernel/dm_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "model/error.h"
#include "temp_dir.h"

namespace mapperd {
namespace {

class NoUdevActivity final : public UdevActivity {
 public:
  void wait(std::chrono::milliseconds) override {}
  bool settled() override { return true; }
};

TEST(ADmBackendOnAKernelWithoutDeviceMapper, RefusesWithAClearErrorAndTouchesNothing) {
  testing::TempDir sysfs;  // no class/misc/device-mapper in it
  const bool control_existed = std::filesystem::exists("/dev/mapper/control");
  NoUdevActivity udev;
  DmBackendOptions options;
  options.sysfs = sysfs.path();
  try {
    DmBackend backend(udev, options);
    FAIL() << "the constructor should have thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Kernel);
    EXPECT_STREQ(error.what(),
                 "device-mapper is not available in this kernel; load dm_mod (modprobe dm_mod)");
  }
  // libdevmapper would have made the control node, driver or not.
  if (!control_existed) {
    EXPECT_FALSE(std::filesystem::exists("/dev/mapper/control"));
  }
}

}  // namespace
}  // namespace mapperd
