// zero_device_start on the host, on nodes a caller could name: it must look at what a path is
// before opening anything for writing, so a FIFO, a character device or a regular file behind a
// symbolic link under /dev/shm is refused without root ever opening it for writing. Writing zeros
// to a real block device runs in the guest (snapshot creation suite).

#include "engine/zero_device.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "fakes/expect_error.h"

namespace mapperd {
namespace {

using ::testing::HasSubstr;

// A directory under /dev/shm (DeviceRef takes only paths under /dev/), as an unprivileged user
// could make one.
class ShmDir {
 public:
  ShmDir() {
    std::string pattern = "/dev/shm/mapperd-zero-test-XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~ShmDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ShmDir(const ShmDir&) = delete;
  ShmDir& operator=(const ShmDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

DeviceRef device_at(const std::string& path) {
  std::optional<DeviceRef> device = DeviceRef::parse(path);
  EXPECT_TRUE(device) << path;
  return *device;
}

// Watches `path` for being closed after it was opened for writing (IN_CLOSE_WRITE): what root
// opening it O_WRONLY leaves behind, and what an O_PATH look at it does not.
class WriteOpenWatch {
 public:
  explicit WriteOpenWatch(const std::string& path)
      : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, path.c_str(), IN_CLOSE_WRITE | IN_MODIFY), 0) << path;
  }
  ~WriteOpenWatch() { ::close(fd_); }
  WriteOpenWatch(const WriteOpenWatch&) = delete;
  WriteOpenWatch& operator=(const WriteOpenWatch&) = delete;

  bool saw_a_write_open() const {
    alignas(inotify_event) char buffer[4096];
    return ::read(fd_, buffer, sizeof buffer) > 0;
  }

 private:
  int fd_;
};

TEST(ZeroDeviceStart, RefusesAFifoBehindASymbolicLinkWithoutWaitingForAReader) {
  const ShmDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  std::filesystem::create_symlink(dir / "fifo", dir / "cow");

  auto zeroing = std::async(std::launch::async, [&] {
    return error_of(ErrorKind::InvalidArgument,
                    [&] { zero_device_start(device_at(dir / "cow"), Sectors(8)); });
  });
  if (zeroing.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Opening it for writing waits for a reader: be the reader, so the test ends.
    const int reader = ::open((dir / "fifo").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    zeroing.wait();
    ::close(reader);
    FAIL() << "zero_device_start opened the FIFO and waited for a reader";
  }
  EXPECT_THAT(zeroing.get(), HasSubstr("is a pipe, not a block device"));
}

TEST(ZeroDeviceStart, RefusesASymbolicLinkToACharacterDeviceWithoutOpeningIt) {
  const ShmDir dir;
  // /dev/null's numbers on a node of our own, so no other program's use of it is seen.
  std::string node = dir / "null";
  if (::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0)
    node = "/dev/null";  // no CAP_MKNOD: the message is all that can be checked
  std::filesystem::create_symlink(node, dir / "cow");
  const WriteOpenWatch watch(node);

  EXPECT_THAT(error_of(ErrorKind::InvalidArgument,
                       [&] { zero_device_start(device_at(dir / "cow"), Sectors(8)); }),
              HasSubstr("is a character device, not a block device"));
  if (node != "/dev/null") {
    EXPECT_FALSE(watch.saw_a_write_open());
  }
}

TEST(ZeroDeviceStart, RefusesARegularFileWithoutOpeningItForWriting) {
  const ShmDir dir;
  std::ofstream(dir / "file") << std::string(8192, 'x');
  const WriteOpenWatch watch(dir / "file");

  EXPECT_THAT(error_of(ErrorKind::InvalidArgument,
                       [&] { zero_device_start(device_at(dir / "file"), Sectors(8)); }),
              HasSubstr("is a regular file, not a block device"));
  EXPECT_FALSE(watch.saw_a_write_open());
  std::ifstream file(dir / "file");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(file), {}), std::string(8192, 'x'));
}

TEST(ZeroDeviceStart, SaysWhenThereIsNoSuchDevice) {
  const ShmDir dir;
  EXPECT_THAT(error_of(ErrorKind::DeviceMissing,
                       [&] { zero_device_start(device_at(dir / "nothing"), Sectors(8)); }),
              HasSubstr("ENOENT"));
}

}  // namespace
}  // namespace mapperd
