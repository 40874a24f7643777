#pragma once
// What the guest suite shares: the one DmBackend (libdevmapper allows one per process), the udev
// monitor it waits on, two loop devices for the contract tests, and the leak checks every test
// ends with.

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kernel/dm_backend.h"
#include "kernel/sysfs_block_devices.h"
#include "loop_device.h"
#include "udev/udev_activity_monitor.h"

namespace mapperd::guest {

// The test binary's own path (argv[0]), for tests that run part of themselves in a child.
inline std::string g_self;

// Every map a guest test makes starts with this.
inline constexpr std::string_view kTestPrefix = "mapperd-test-";

class GuestWorld {
 public:
  // The world of the running suite; only between the environment's SetUp and TearDown.
  static GuestWorld& get();

  GuestWorld();
  ~GuestWorld();

  DmBackend& backend() { return *backend_; }
  UdevActivityMonitor& udev() { return udev_; }
  const SysfsBlockDevices& devices() const { return devices_; }
  // The contract tests' disks: 16384 and 24576 sectors.
  LoopDevice& disk(int index) { return *disks_.at(static_cast<std::size_t>(index)); }
  // SysV semaphores that existed before the suite made any map.
  int semaphores_before() const { return semaphores_before_; }

  // Makes the backend again with other options (a short udev timeout), and back with none.
  void remake_backend(const DmBackendOptions& options = {});

 private:
  UdevActivityMonitor udev_;
  SysfsBlockDevices devices_;
  std::unique_ptr<DmBackend> backend_;
  std::vector<std::unique_ptr<LoopDevice>> disks_;
  int semaphores_before_ = 0;
};

class GuestEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

// Everything a test may have left behind: maps named with the prefix, /dev/mapper entries that
// are theirs or point nowhere, udev cookies (the semaphores "dmsetup udevcookies" lists: keys
// with device-mapper's cookie magic, read from /proc/sysvipc/sem, since starting a process costs
// a second under TCG), and more SysV semaphores than before the suite. One line per leak.
std::vector<std::string> find_leaks(KernelBackend& backend, std::string_view prefix,
                                    int semaphores_before);
// "dmsetup udevcookies" itself, run once when the suite ends: one line per cookie it lists.
std::vector<std::string> dmsetup_udev_cookies();
// The number of SysV semaphore sets (/proc/sysvipc/sem).
int count_semaphores();
// Runs a shell command; its output and exit status.
struct CommandResult {
  std::string output;
  int status = -1;
};
CommandResult run_command(const std::string& command);

// The loop devices bound now, as "/dev/loopN (backing file)".
std::set<std::string> bound_loops();
// The maps that are suspended now, whoever's.
std::vector<std::string> suspended_maps(KernelBackend& backend);

// Removes every map starting with `prefix`, upper ones of a stack first; adds a test failure for
// any that cannot be removed.
void remove_maps_with_prefix(KernelBackend& backend, std::string_view prefix);

// The subject of the guest's own tests: the real backend, maps with the test prefix, and a leak
// check after each test (no map left suspended, none with the prefix, no /dev/mapper entry of
// theirs or pointing nowhere, no udev cookie, no loop the test attached).
class AGuestTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Detaches the loops the test bound: called by TearDown() once the test's maps are removed,
  // before it looks for loops left attached.
  virtual void release_loops() {}

  DmBackend& backend() { return GuestWorld::get().backend(); }
  static std::string map_name(std::string_view suffix);
  static std::string mapper_path(const std::string& name) { return "/dev/mapper/" + name; }
  // A table written as the tutorial writes it, read by the model (device paths checked and
  // their sizes respected), converted for the kernel.
  static std::vector<TargetLine> kernel_table(const std::string& text);
  // Creates `name` from tutorial-style `text`, with a UUID of our own.
  MapInfo create(const std::string& name, const std::string& text);

 private:
  std::set<std::string> loops_before_;
};

}  // namespace mapperd::guest
