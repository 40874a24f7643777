// KernelLoopDevices on the real loop driver: binding by path and by descriptor, offsets and size
// limits checked byte by byte, listing, refusals, detaching a device in use, re-attaching.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "block_io.h"
#include "fakes/expect_error.h"
#include "loop_test_support.h"

namespace mapperd::guest {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::string sysfs_value(const mapperd::LoopDevice& device, const std::string& file) {
  std::ifstream in("/sys/block/loop" + std::to_string(device.index) + "/" + file);
  std::string value;
  std::getline(in, value);
  return value;
}

struct stat stat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st;
}

class LoopDevicesOnTheRealKernel : public ALoopDeviceTest {
 protected:
  LoopDevicesOnTheRealKernel() : file_("plain", 8192) {}

  BackingFile file_;
};

TEST_F(LoopDevicesOnTheRealKernel, AttachAFileByItsPath) {
  const mapperd::LoopDevice device = attach_file(file_.path());
  const struct stat file = stat_of(file_.path());
  const struct stat node = stat_of(device.path);
  EXPECT_TRUE(S_ISBLK(node.st_mode));
  EXPECT_EQ(device.number, (DeviceNumber{::major(node.st_rdev), ::minor(node.st_rdev)}));
  EXPECT_EQ(device.path, "/dev/loop" + std::to_string(device.index));
  EXPECT_EQ(device.backing,
            (LoopBacking{file_.path(), DeviceNumber{::major(file.st_dev), ::minor(file.st_dev)},
                         file.st_ino, 0, 0, false}));
  EXPECT_FALSE(device.autoclear);
  EXPECT_EQ(sysfs_value(device, "loop/autoclear"), "0");
  EXPECT_EQ(sysfs_value(device, "loop/partscan"), "0");
  EXPECT_EQ(device_size(device.path), Sectors(8192));
  EXPECT_EQ(read_device(device.path, 100), sector_pattern("plain", 100));
}

TEST_F(LoopDevicesOnTheRealKernel, ListAndFindWhatIsBound) {
  const mapperd::LoopDevice device = attach_file(file_.path(), {.offset = 4096});
  EXPECT_THAT(loops_.list(), Contains(device));
  EXPECT_EQ(loops_.bound_at(device.index), device);
  EXPECT_EQ(loops_.find_bound(device.backing), device);
  LoopBacking elsewhere = device.backing;
  elsewhere.offset = 0;
  EXPECT_EQ(loops_.find_bound(elsewhere), std::nullopt);
}

TEST_F(LoopDevicesOnTheRealKernel, AttachADescriptorReadOnlyWithAnOffsetAndASizeLimit) {
  const int fd = ::open(file_.path().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const mapperd::LoopDevice device =
      attach(fd, {.offset = 1024 * 512, .size_limit = 2048 * 512, .read_only = true});
  ::close(fd);  // the kernel keeps its own reference
  EXPECT_TRUE(device.backing.read_only);
  EXPECT_EQ(device.backing.file, file_.path());
  EXPECT_EQ(sysfs_value(device, "ro"), "1");
  EXPECT_EQ(device_size(device.path), Sectors(2048));
  EXPECT_EQ(read_device(device.path, 0), sector_pattern("plain", 1024));
  EXPECT_EQ(read_device(device.path, 2047), sector_pattern("plain", 1024 + 2047));
  // 6.1 lets the node be opened for writing; the loop driver fails the write itself.
  EXPECT_THROW(write_device(device.path, 5, sector_pattern("refused", 5)), std::runtime_error);
  EXPECT_EQ(read_file(file_.path(), 1024 + 5), sector_pattern("plain", 1024 + 5));
  EXPECT_EQ(loops_.bound_at(device.index), device);
}

TEST_F(LoopDevicesOnTheRealKernel, WriteThroughTheDeviceAtItsOffsetInTheFile) {
  const mapperd::LoopDevice device = attach_file(file_.path(), {.offset = 128 * 512});
  write_device(device.path, 3, sector_pattern("written", 3));
  EXPECT_EQ(read_file(file_.path(), 128 + 3), sector_pattern("written", 3));
  EXPECT_EQ(read_file(file_.path(), 3), sector_pattern("plain", 3));
  EXPECT_EQ(read_file(file_.path(), 128 + 4), sector_pattern("plain", 128 + 4));
}

TEST_F(LoopDevicesOnTheRealKernel, RefuseASymbolicLink) {
  const std::string link = file_.path() + ".link";
  ASSERT_EQ(::symlink(file_.path().c_str(), link.c_str()), 0);
  const std::string message = error_of(ErrorKind::InvalidArgument, [&] { attach_file(link); });
  ::unlink(link.c_str());
  EXPECT_THAT(message, HasSubstr("is a symbolic link"));
}

TEST_F(LoopDevicesOnTheRealKernel, RefuseABlockDevice) {
  const int fd = ::open(GuestWorld::get().disk(0).path().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string message = error_of(ErrorKind::InvalidArgument, [&] { attach(fd, {}); });
  ::close(fd);
  EXPECT_THAT(message, HasSubstr("is a block device"));
}

TEST_F(LoopDevicesOnTheRealKernel, RefuseToDetachADeviceAMapHolds) {
  const mapperd::LoopDevice device = attach_file(file_.path());
  const std::string name = map_name("on-loop");
  create(name, "0 1024 linear " + device.path + " 0\n");
  const std::string message = error_of(ErrorKind::Busy, [&] { loops_.detach(device.index); });
  EXPECT_THAT(message, HasSubstr("device-mapper map " + name));
  EXPECT_TRUE(loops_.bound_at(device.index).has_value());
  backend().remove(name);
  detach_when_idle(device.index);
  EXPECT_EQ(loops_.bound_at(device.index), std::nullopt);
}

TEST_F(LoopDevicesOnTheRealKernel, RefuseToDetachADeviceAProcessHoldsOpenAndLeaveItAsItWas) {
  const mapperd::LoopDevice device = attach_file(file_.path());
  settle_udev();
  const int held = ::open(device.path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(held, 0);
  EXPECT_THAT(error_of(ErrorKind::Busy, [&] { loops_.detach(device.index); }),
              HasSubstr("a program that has it open"));
  // The kernel would have detached it at the last close; that was taken back.
  const std::optional<mapperd::LoopDevice> after = loops_.bound_at(device.index);
  ASSERT_TRUE(after.has_value());
  EXPECT_FALSE(after->autoclear);
  EXPECT_EQ(sysfs_value(device, "loop/autoclear"), "0");
  ::close(held);
  settle_udev();
  EXPECT_EQ(loops_.bound_at(device.index), after) << "the last close detached it";
  detach_when_idle(device.index);
  EXPECT_EQ(loops_.bound_at(device.index), std::nullopt);
}

TEST_F(LoopDevicesOnTheRealKernel, SayADeviceWithNoFileIsNotBound) {
  const mapperd::LoopDevice device = attach_file(file_.path());
  detach_when_idle(device.index);
  EXPECT_THAT(error_of(ErrorKind::NotFound, [&] { loops_.detach(device.index); }),
              HasSubstr("no file is bound to it"));
  EXPECT_THAT(loops_.list(), Not(Contains(device)));
}

TEST_F(LoopDevicesOnTheRealKernel, ReattachReusesADeviceBoundToTheFile) {
  const mapperd::LoopDevice device = attach_file(file_.path(), {.offset = 512});
  EXPECT_EQ(loops_.reattach(device.backing), (Reattachment{device, true}));
}

TEST_F(LoopDevicesOnTheRealKernel, ReattachBindsTheSameFileAgain) {
  const mapperd::LoopDevice device =
      attach_file(file_.path(), {.offset = 512, .size_limit = 4096 * 512});
  detach_when_idle(device.index);
  const Reattachment again = loops_.reattach(device.backing);
  remember(again.device);
  EXPECT_FALSE(again.reused);
  EXPECT_EQ(again.device.backing, device.backing);
  EXPECT_EQ(device_size(again.device.path), Sectors(4096));
  EXPECT_EQ(read_device(again.device.path, 0), sector_pattern("plain", 1));
}

TEST_F(LoopDevicesOnTheRealKernel, ReattachRefusesAFileThatWasReplaced) {
  const mapperd::LoopDevice device = attach_file(file_.path());
  detach_when_idle(device.index);
  file_.replace();
  const struct stat now = stat_of(file_.path());
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument,
                       [&] { remember(loops_.reattach(device.backing).device); }),
              HasSubstr("was inode " + std::to_string(device.backing.inode) + " on " +
                        device.backing.file_device.to_string() + ", now inode " +
                        std::to_string(now.st_ino)));
}

TEST_F(LoopDevicesOnTheRealKernel, ReattachSaysAMissingFileIsNotFound) {
  LoopBacking backing = *loops_.backing_of_path(file_.path(), {});
  backing.file = "/tmp/mapperd-not-mounted-yet/disk.img";
  error_of(ErrorKind::NotFound, [&] { loops_.reattach(backing); });
}

}  // namespace
}  // namespace mapperd::guest
