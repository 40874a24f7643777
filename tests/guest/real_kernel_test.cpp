// What only a real kernel and a real udev show: /dev/mapper links made and gone when the calls
// return, refusals with the kernel's own reasons, rollbacks that leave nothing behind, bounded
// udev waits.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "block_io.h"
#include "fakes/expect_error.h"
#include "guest_world.h"
#include "kernel/kernel_log.h"
#include "model/error.h"

namespace mapperd::guest {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool link_exists(const std::string& path) {
  return std::filesystem::exists(std::filesystem::symlink_status(path));
}

// The dm device the kernel has under `name`, looked up in sysfs behind libdevmapper's back.
bool kernel_has_map_named(const std::string& name) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/block", error)) {
    std::ifstream dm_name(entry.path() / "dm" / "name");
    std::string found;
    if (std::getline(dm_name, found) && found == name)
      return true;
  }
  return false;
}

class TheRealKernel : public AGuestTest {
 protected:
  TheRealKernel() : disk_("real", 8192 * kSectorBytes) {}

  std::string linear(std::uint64_t length, std::uint64_t offset = 0) const {
    return "0 " + std::to_string(length) + " linear " + disk_.path() + " " +
           std::to_string(offset) + "\n";
  }

  LoopDevice disk_;
};

TEST_F(TheRealKernel, IsSynchronisedWithUdev) {
  EXPECT_TRUE(backend().udev_synchronised());
}

TEST_F(TheRealKernel, HasTheDevMapperLinkInPlaceWhenCreateReturns) {
  const std::string name = map_name("linked");
  const MapInfo made = create(name, linear(1024));
  struct stat st {};
  ASSERT_EQ(::stat(mapper_path(name).c_str(), &st), 0) << mapper_path(name) << " is missing";
  EXPECT_TRUE(S_ISBLK(st.st_mode));
  EXPECT_EQ((DeviceNumber{::major(st.st_rdev), ::minor(st.st_rdev)}), made.device);
}

TEST_F(TheRealKernel, HasTheLinkGoneWhenRemoveReturns) {
  const std::string name = map_name("unlinked");
  create(name, linear(1024));
  backend().remove(name);
  EXPECT_FALSE(link_exists(mapper_path(name)));
  EXPECT_FALSE(kernel_has_map_named(name));
}

TEST_F(TheRealKernel, HasTheLinkMovedWhenRenameReturns) {
  const std::string before = map_name("moving");
  const std::string after = map_name("moved");
  create(before, linear(1024));
  backend().rename(before, after);
  EXPECT_FALSE(link_exists(mapper_path(before)));
  EXPECT_TRUE(link_exists(mapper_path(after)));
}

TEST_F(TheRealKernel, RefusesToRemoveAnOpenMapNamingItsOpenCount) {
  const std::string name = map_name("held");
  create(name, linear(1024));
  const int fd = ::open(mapper_path(name).c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string message = error_of(ErrorKind::Busy, [&] { backend().remove(name); });
  ::close(fd);
  EXPECT_EQ(message, "remove " + name + ": EBUSY: device is in use (open count 1)");
  backend().remove(name);  // closed: now it goes
  EXPECT_FALSE(link_exists(mapper_path(name)));
}

TEST_F(TheRealKernel, RemovesAMapRightAfterItWasWrittenAndClosed) {
  // Closing a writer makes udev probe the map again ("watch"): its brief open is not ours.
  const std::string name = map_name("written");
  create(name, linear(1024));
  write_device(mapper_path(name), 0, sector_pattern("written", 0));
  backend().remove(name);
  EXPECT_EQ(backend().info(name), std::nullopt);
}

TEST_F(TheRealKernel, GivesTheKernelsReasonForARefusedTable) {
  const std::string name = map_name("refused");
  // Raw lines, past the model (which would refuse them too): 100 sectors over 2 stripes of 8.
  const std::string message = error_of(ErrorKind::InvalidTable, [&] {
    backend().create({name,
                      "MAPPERD-refused",
                      {{Sectors(0), Sectors(100), "striped",
                        "2 8 " + disk_.number().to_string() + " 0 " +
                            GuestWorld::get().disk(0).number().to_string() + " 0"}},
                      false});
  });
  EXPECT_THAT(message, StartsWith("create " + name +
                                  ": EINVAL: the kernel refused the table: "
                                  "device-mapper: table: "));
  EXPECT_THAT(message, HasSubstr("striped: Target length not divisible by chunk size"));
  EXPECT_THAT(message, HasSubstr("the half-made map was removed again"));
}

TEST_F(TheRealKernel, LeavesNoDeviceBehindAFailedCreate) {
  const std::string name = map_name("half-made");
  error_of(ErrorKind::InvalidTable, [&] {
    backend().create({name,
                      "MAPPERD-half-made",
                      {{Sectors(0), Sectors(disk_.size().count() + 8), "linear",
                        disk_.number().to_string() + " 0"}},
                      false});
  });
  EXPECT_EQ(backend().info(name), std::nullopt);
  EXPECT_FALSE(kernel_has_map_named(name));
  EXPECT_FALSE(link_exists(mapper_path(name)));
}

TEST_F(TheRealKernel, KeepsServingTheOldTableAfterAFailedReload) {
  const std::string name = map_name("steady");
  create(name, linear(2048));
  write_device(mapper_path(name), 7, sector_pattern("steady", 7));

  // The kernel checks a reloaded table against the device's size only at the resume.
  const std::string message = error_of(ErrorKind::InvalidTable, [&] {
    backend().reload(name, {{Sectors(0), Sectors(disk_.size().count() + 8), "linear",
                             disk_.number().to_string() + " 0"}});
  });
  EXPECT_THAT(message, HasSubstr("too small for target"));
  EXPECT_THAT(message, HasSubstr("the old table was resumed"));
  const MapInfo after = *backend().info(name);
  ASSERT_FALSE(after.suspended) << "a read from a suspended map would block";
  EXPECT_FALSE(after.inactive_table);
  EXPECT_EQ(read_device(mapper_path(name), 7), sector_pattern("steady", 7));
  EXPECT_EQ(device_size(mapper_path(name)), Sectors(2048));
}

TEST_F(TheRealKernel, MapsADeviceOnlyOnceItIsThere) {
  const std::string name = map_name("late");
  // Raw lines: the model's own device check would refuse the table before the backend saw it.
  const CreateRequest request{
      name, "MAPPERD-late", {{Sectors(0), Sectors(1024), "linear", "7:200 0"}}, false};
  const std::string message =
      error_of(ErrorKind::DeviceMissing, [&] { backend().create(request); });
  EXPECT_EQ(message,
            "create " + name + ": ENODEV: the table names device 7:200, which does not exist");
  EXPECT_EQ(backend().info(name), std::nullopt);

  const LoopDevice late("late", 1024 * kSectorBytes, {}, 200);
  backend().create(request);
  EXPECT_EQ(backend().table(name)[0].params, "7:200 0");
  backend().remove(name);
}

TEST_F(TheRealKernel, SaysWhichDeviceIsMissingForARawTable) {
  const std::string name = map_name("nodev");
  const std::string message = error_of(ErrorKind::DeviceMissing, [&] {
    backend().create(
        {name, "MAPPERD-nodev", {{Sectors(0), Sectors(1024), "linear", "/dev/loop201 0"}}, false});
  });
  EXPECT_EQ(message, "create " + name +
                         ": ENODEV: the table names device /dev/loop201, which does not exist");
}

// udev's event queue held, so nothing completes the cookie; resumed on every path.
class HeldUdevQueue {
 public:
  HeldUdevQueue() { run_command("udevadm control --stop-exec-queue"); }
  ~HeldUdevQueue() {
    run_command("udevadm control --start-exec-queue");
    run_command("udevadm settle --timeout=120");
  }
};

TEST_F(TheRealKernel, GivesUpOnUdevAtTheDeadlineAndReleasesTheCookie) {
  const std::string name = map_name("stalled");
  DmBackendOptions options;
  options.udev_timeout = std::chrono::seconds(3);
  GuestWorld::get().remake_backend(options);
  {
    HeldUdevQueue held;
    const auto start = std::chrono::steady_clock::now();
    const std::string message = error_of(ErrorKind::TimedOut, [&] { create(name, linear(1024)); });
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_THAT(message, StartsWith("create " + name + ": udev did not finish"));
    EXPECT_LT(waited, std::chrono::seconds(60));
    // Released at once, while udev still sits on the event.
    EXPECT_EQ(run_command("dmsetup udevcookies | tail -n +2").output, "");
  }
  GuestWorld::get().remake_backend();
  // The map itself was made; udev caught up once its queue ran again.
  EXPECT_TRUE(backend().info(name).has_value());
  EXPECT_TRUE(link_exists(mapper_path(name)));
}

// Runs in two halves: the test starts itself again in a mount namespace where /run/udev is an
// empty directory, so that libdevmapper, asking once per process, finds no udev running.
TEST(ADmBackendWithoutUdev, RefusesToChangeMapsAndSaysWhy) {
  const std::string name = std::string(kTestPrefix) + "no-udev";
  if (std::getenv("MAPPERD_TEST_WITHOUT_UDEV") != nullptr) {
    KernelBackend& backend = GuestWorld::get().backend();
    EXPECT_FALSE(backend.udev_synchronised());
    const std::string message = error_of(ErrorKind::Kernel, [&] {
      backend.create({name, "MAPPERD-no-udev", {{Sectors(0), Sectors(8), "zero", ""}}, false});
    });
    EXPECT_EQ(message, "create " + name +
                           ": udev is not running (no /run/udev/control), so /dev/mapper/" + name +
                           " would not be managed; start systemd-udevd");
    EXPECT_EQ(backend.info(name), std::nullopt);
    return;
  }
  const CommandResult child = run_command(
      "MAPPERD_TEST_WITHOUT_UDEV=1 unshare --mount sh -c 'mount -t tmpfs none /run/udev && "
      "exec " +
      g_self + " --gtest_filter=ADmBackendWithoutUdev.*' 2>&1");
  EXPECT_EQ(child.status, 0) << child.output;
  EXPECT_THAT(child.output, HasSubstr("[  PASSED  ] 1 test."));
}

TEST(AKernelLogCursorInTheGuest, ReadsTheDeviceMapperRecordsLoggedAfterIt) {
  KernelLogCursor cursor;
  ASSERT_TRUE(cursor.readable());
  {
    std::ofstream kmsg("/dev/kmsg");
    kmsg << "<3>device-mapper: mapperd-test: after the cursor" << std::flush;
  }
  {
    std::ofstream kmsg("/dev/kmsg");
    kmsg << "<3>mapperd-test: not device-mapper's" << std::flush;
  }
  EXPECT_THAT(cursor.device_mapper_messages(),
              ::testing::ElementsAre("device-mapper: mapperd-test: after the cursor"));
}

TEST(AUdevActivityMonitorInTheGuest, WakesUpWhenUdevHasProcessedABlockEvent) {
  UdevActivityMonitor monitor;
  const auto start = std::chrono::steady_clock::now();
  const LoopDevice disk("monitored", 1024 * kSectorBytes);  // a "change" event for the loop
  monitor.wait(std::chrono::seconds(60));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(AUdevActivityMonitorInTheGuest, SeesUdevSettled) {
  run_command("udevadm settle --timeout=120");
  UdevActivityMonitor monitor;
  EXPECT_TRUE(monitor.settled());
}

}  // namespace
}  // namespace mapperd::guest
