// KernelLoopDevices on the host, where nothing may be bound: every refusal that comes before the
// loop driver is asked, and listing over a sysfs tree made for the test. Binding and detaching
// run in the guest (tests/guest/loop_devices_test.cpp).

#include "loopdev/kernel_loop_devices.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "../kernel/temp_dir.h"
#include "fakes/expect_error.h"

namespace mapperd {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class KernelLoopDevicesOnTheHost : public ::testing::Test {
 protected:
  KernelLoopDevicesOnTheHost() {
    files_.write("disk.img", std::string(4096, 'x'));
    files_.write("tiny.img", std::string(100, 'x'));
    std::filesystem::create_directories(files_.path() / "dir");
    std::filesystem::create_symlink(files_.path() / "disk.img", files_.path() / "link.img");
  }
  ~KernelLoopDevicesOnTheHost() override {
    for (int fd : fds_)
      ::close(fd);
  }

  std::string file(const std::string& name) const { return (files_.path() / name).string(); }
  int open_file(const std::string& name, int flags) {
    const int fd = ::open(file(name).c_str(), flags | O_CLOEXEC);
    EXPECT_GE(fd, 0) << name;
    fds_.push_back(fd);
    return fd;
  }

  testing::TempDir files_;
  testing::TempDir sysfs_;
  testing::TempDir dev_;
  // No loop-control in `dev_`: should a check be missing, the attach fails instead of binding.
  KernelLoopDevices loops_{sysfs_.path(), dev_.path()};
  std::vector<int> fds_;
};

TEST_F(KernelLoopDevicesOnTheHost, RefusesADirectoryDescriptor) {
  const int fd = open_file("dir", O_RDONLY | O_DIRECTORY);
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {.read_only = true}); }),
              HasSubstr("is a directory"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesAnOPathDescriptor) {
  const int fd = open_file("disk.img", O_PATH);
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {.read_only = true}); }),
              HasSubstr("O_PATH"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesAPipe) {
  int pipe[2];
  ASSERT_EQ(::pipe2(pipe, O_CLOEXEC), 0);
  fds_.push_back(pipe[0]);
  fds_.push_back(pipe[1]);
  EXPECT_THAT(
      error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(pipe[0], {.read_only = true}); }),
      HasSubstr("is a pipe"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesACharacterDevice) {
  const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  fds_.push_back(fd);
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {}); }),
              HasSubstr("is a character device"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesADescriptorThatIsNotOpen) {
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(9999, {}); }),
              HasSubstr("descriptor 9999: EBADF: is not an open file descriptor"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesAReadOnlyDescriptorForAWritableDevice) {
  const int fd = open_file("disk.img", O_RDONLY);
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {}); }),
              HasSubstr("is open read-only, and a writable loop device was asked for"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesAnOffsetThatLeavesLessThanASector) {
  const int fd = open_file("disk.img", O_RDWR);
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {.offset = 3800}); }),
              HasSubstr("is 4096 bytes long, which leaves less than one 512-byte sector past "
                        "offset 3800"));
  const int tiny = open_file("tiny.img", O_RDWR);
  error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(tiny, {}); });
}

TEST_F(KernelLoopDevicesOnTheHost, TakesTheBackingPathOfARenamedFileFromItsDescriptor) {
  const int fd = open_file("disk.img", O_RDWR);
  std::filesystem::rename(file("disk.img"), file("moved.img"));
  files_.write("disk.img", std::string(4096, 'y'));
  // Past every check, to the (missing) loop driver, under the file's new name.
  EXPECT_THAT(error_of(ErrorKind::Kernel, [&] { loops_.attach(fd, {}); }),
              HasSubstr("attach " + file("moved.img") + ": ENOENT: cannot open"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesADeletedFile) {
  const int fd = open_file("disk.img", O_RDWR);
  std::filesystem::remove(file("disk.img"));
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {}); }),
              HasSubstr("attach " + file("disk.img") + " (deleted): the file was deleted"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesAFileWhoseNameAnotherFileTook) {
  // Still linked (as keep.img), but disk.img now names another file: a reboot would find that.
  std::filesystem::create_hard_link(file("disk.img"), file("keep.img"));
  const int fd = open_file("disk.img", O_RDWR);
  files_.write("other.img", std::string(4096, 'y'));
  std::filesystem::rename(file("other.img"), file("disk.img"));
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach(fd, {}); }),
              HasSubstr("the file was deleted (or another file took its name)"));
}

TEST_F(KernelLoopDevicesOnTheHost, TakesAFileReallyNamedAsADeletedOne) {
  files_.write("disk.img (deleted)", std::string(4096, 'x'));
  const int fd = open_file("disk.img (deleted)", O_RDWR);
  EXPECT_THAT(error_of(ErrorKind::Kernel, [&] { loops_.attach(fd, {}); }),
              HasSubstr("attach " + file("disk.img (deleted)") + ": ENOENT: cannot open"));
}

// What mapperd under PrivateTmp= or ProtectHome= meets: a client's descriptor on a file whose
// path does not exist in mapperd's mount namespace. A child process in a mount namespace of its
// own, with a tmpfs over the file's directory, attaches the descriptor opened outside.
TEST_F(KernelLoopDevicesOnTheHost, TakesADescriptorWhosePathItCannotSee) {
  files_.write("hidden/disk.img", std::string(4096, 'x'));
  const int fd = open_file("hidden/disk.img", O_RDWR);
  const std::string hidden = file("hidden");
  int report[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string said;
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("hide", hidden.c_str(), "tmpfs", 0, nullptr) != 0) {
      said = "SKIP cannot make a mount namespace: " + std::string(std::strerror(errno));
    } else if (std::filesystem::exists(hidden + "/disk.img")) {
      said = "the tmpfs does not hide the file";
    } else {
      try {
        loops_.attach(fd, {});
        said = "attached without a loop driver";
      } catch (const Error& error) {
        said = std::string(error_kind_name(error.kind())) + " " + error.what();
      }
    }
    (void)!::write(report[1], said.data(), said.size());
    ::_exit(0);
  }
  ::close(report[1]);
  std::string said;
  char buffer[512];
  for (ssize_t n; (n = ::read(report[0], buffer, sizeof buffer)) > 0;)
    said.append(buffer, static_cast<std::size_t>(n));
  ::close(report[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (said.starts_with("SKIP"))
    GTEST_SKIP() << said;
  // Past every check, to the (missing) loop driver, under the path the client opened.
  EXPECT_THAT(said, HasSubstr("Kernel attach " + hidden + "/disk.img: ENOENT: cannot open"));
}

TEST_F(KernelLoopDevicesOnTheHost, ReportsAMissingLoopDriverAsAKernelError) {
  // Every check passed: the next step is /dev/loop-control, which this test's /dev lacks.
  const int fd = open_file("disk.img", O_RDWR);
  EXPECT_THAT(error_of(ErrorKind::Kernel, [&] { loops_.attach(fd, {}); }),
              HasSubstr("is the loop module loaded?"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesToFollowASymbolicLink) {
  EXPECT_THAT(
      error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file(file("link.img"), {}); }),
      HasSubstr("link.img: ELOOP: is a symbolic link"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesARelativePath) {
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file("disk.img", {}); }),
              HasSubstr("not an absolute path"));
}

TEST_F(KernelLoopDevicesOnTheHost, SaysWhenThereIsNoSuchFile) {
  EXPECT_THAT(error_of(ErrorKind::NotFound, [&] { loops_.attach_file(file("none.img"), {}); }),
              HasSubstr("ENOENT: no such file"));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesADirectoryPath) {
  EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.attach_file(file("dir"), {}); }),
              HasSubstr("is a directory"));
}

TEST_F(KernelLoopDevicesOnTheHost, GivesTheBindingAFileWouldHave) {
  struct stat st {};
  ASSERT_EQ(::stat(file("disk.img").c_str(), &st), 0);
  const std::optional<LoopBacking> backing =
      loops_.backing_of_path(file("disk.img"), {.offset = 512, .size_limit = 1024});
  ASSERT_TRUE(backing.has_value());
  EXPECT_EQ(*backing,
            (LoopBacking{file("disk.img"), DeviceNumber{::major(st.st_dev), ::minor(st.st_dev)},
                         st.st_ino, 512, 1024, false}));
}

TEST_F(KernelLoopDevicesOnTheHost, GivesNoBindingForAPathWithNothingThere) {
  EXPECT_EQ(loops_.backing_of_path(file("none.img"), {}), std::nullopt);
  EXPECT_EQ(loops_.backing_of_path(file("disk.img/below"), {}), std::nullopt);
}

TEST_F(KernelLoopDevicesOnTheHost, GivesNoBindingForALinkOrADirectory) {
  error_of(ErrorKind::InvalidArgument, [&] { loops_.backing_of_path(file("link.img"), {}); });
  error_of(ErrorKind::InvalidArgument, [&] { loops_.backing_of_path(file("dir"), {}); });
  error_of(ErrorKind::InvalidArgument, [&] { loops_.backing_of_path("disk.img", {}); });
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesToReattachAFileThatIsAnotherInodeNow) {
  LoopBacking stored = *loops_.backing_of_path(file("disk.img"), {});
  stored.inode += 1000000;
  const std::string message =
      error_of(ErrorKind::InvalidArgument, [&] { loops_.reattach(stored); });
  EXPECT_THAT(message, HasSubstr("was inode " + std::to_string(stored.inode) + " on " +
                                 stored.file_device.to_string() + ", now inode " +
                                 std::to_string(stored.inode - 1000000) + " on "));
  EXPECT_THAT(message, HasSubstr("not the file that was attached"));
}

TEST_F(KernelLoopDevicesOnTheHost, SaysWhenAFileToReattachIsNotThere) {
  LoopBacking stored = *loops_.backing_of_path(file("disk.img"), {});
  stored.file = file("not-mounted-yet/disk.img");
  EXPECT_THAT(error_of(ErrorKind::NotFound, [&] { loops_.reattach(stored); }),
              HasSubstr("no such file"));
}

TEST_F(KernelLoopDevicesOnTheHost, ReattachesAStoredFileAsFarAsTheLoopDriver) {
  const LoopBacking stored = *loops_.backing_of_path(file("disk.img"), {});
  // No loop-control in the test's /dev: getting that far means every check passed.
  EXPECT_THAT(error_of(ErrorKind::Kernel, [&] { loops_.reattach(stored); }),
              HasSubstr("loop-control"));
}

// Whether `path` was opened for writing (and closed) while `action` ran.
template <class Action>
bool opened_for_writing(const std::string& path, Action&& action) {
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  EXPECT_GE(watch, 0);
  EXPECT_GE(::inotify_add_watch(watch, path.c_str(), IN_CLOSE_WRITE), 0) << path;
  action();
  alignas(inotify_event) char buffer[4096];
  const bool seen = ::read(watch, buffer, sizeof buffer) > 0;
  ::close(watch);
  return seen;
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesToReattachThroughASymbolicallyLinkedDirectory) {
  // The stored path's directory swapped for a link: even to the very file, nothing is opened.
  const LoopBacking real = *loops_.backing_of_path(file("disk.img"), {});
  std::filesystem::create_symlink(files_.path(), files_.path() / "swapped");
  LoopBacking stored = real;
  stored.file = file("swapped/disk.img");
  EXPECT_FALSE(opened_for_writing(file("disk.img"), [&] {
    EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.reattach(stored); }),
                HasSubstr("symbolic link"));
  }));
}

TEST_F(KernelLoopDevicesOnTheHost, RefusesToReattachAnotherNodeBehindALinkedDirectory) {
  std::filesystem::create_directories(files_.path() / "elsewhere");
  ASSERT_EQ(::mkfifo(file("elsewhere/disk.img").c_str(), 0600), 0);
  std::filesystem::create_symlink(files_.path() / "elsewhere", files_.path() / "swapped");
  LoopBacking stored = *loops_.backing_of_path(file("disk.img"), {});
  stored.file = file("swapped/disk.img");
  EXPECT_FALSE(opened_for_writing(file("elsewhere/disk.img"), [&] {
    EXPECT_THAT(error_of(ErrorKind::InvalidArgument, [&] { loops_.reattach(stored); }),
                HasSubstr("symbolic link"));
  }));
}

TEST_F(KernelLoopDevicesOnTheHost, ListsNothingWhenSysfsHasNoLoopDevices) {
  EXPECT_THAT(loops_.list(), IsEmpty());
  EXPECT_EQ(loops_.bound_at(0), std::nullopt);
}

TEST_F(KernelLoopDevicesOnTheHost, IdentifiesAFileByItsPathWhenTheDeviceCannotTell) {
  // The "device node" here is a plain file, which has no LOOP_GET_STATUS64: the file's identity
  // then comes from its path, as for an autoclear device.
  sysfs_.write("block/loop4/dev", "7:4\n");
  sysfs_.write("block/loop4/ro", "1\n");
  sysfs_.write("block/loop4/loop/backing_file", file("disk.img") + "\n");
  sysfs_.write("block/loop4/loop/offset", "512\n");
  sysfs_.write("block/loop4/loop/sizelimit", "0\n");
  sysfs_.write("block/loop4/loop/autoclear", "0\n");
  sysfs_.write("block/loop4/loop/partscan", "0\n");
  dev_.write("loop4", "");
  const LoopBacking expected = *loops_.backing_of_path(file("disk.img"), {512, 0, true});

  const std::vector<LoopDevice> listed = loops_.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], (LoopDevice{4, {7, 4}, (dev_.path() / "loop4").string(), expected, false}));
  EXPECT_EQ(loops_.find_bound(expected), listed[0]);
  EXPECT_EQ(loops_.reattach(expected), (Reattachment{listed[0], true}));
}

TEST_F(KernelLoopDevicesOnTheHost, SaysADeviceWithoutANodeIsNotBound) {
  EXPECT_THAT(error_of(ErrorKind::NotFound, [&] { loops_.detach(7); }),
              HasSubstr("detach /dev/loop7: ENXIO: no file is bound to it"));
}

}  // namespace
}  // namespace mapperd
