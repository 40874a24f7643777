#pragma once
// What the loop-device, device-identity and block-event guest tests share: backing files made
// for the test, KernelLoopDevices with the loops a test bound detached after it, waits for
// udev's events.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "guest_world.h"
#include "loopdev/kernel_loop_devices.h"
#include "udev/block_device_events.h"

namespace mapperd::guest {

// A sparse file in /tmp, removed with the object; its sectors hold sector_pattern(tag, s).
class BackingFile {
 public:
  BackingFile(const std::string& tag, std::uint64_t sectors);
  ~BackingFile();
  BackingFile(const BackingFile&) = delete;
  BackingFile& operator=(const BackingFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& tag() const { return tag_; }
  // Removes the file and puts a new one (another inode) of the same size at the same path.
  void replace();

 private:
  void make() const;

  std::string tag_;
  std::string path_;
  std::uint64_t sectors_;
};

// Until udev's queue is empty (at most 60 s).
void settle_udev();

// Polls `events` until one satisfies `wanted` or `timeout` passes; every event read, in order.
// The last one satisfies `wanted` unless the time ran out (a test failure is added then).
std::vector<BlockDeviceEvent> wait_for_event(
    BlockDeviceEvents& events, const std::function<bool(const BlockDeviceEvent&)>& wanted,
    std::chrono::seconds timeout = std::chrono::seconds(60));

// "Appeared /dev/loop3 (7:3) bound", for failure messages.
std::string describe(const BlockDeviceEvent& event);
std::string describe(const std::vector<BlockDeviceEvent>& events);

// A test that binds loop devices through KernelLoopDevices: every loop it bound (remember())
// is detached after it, once udev has let go of it.
class ALoopDeviceTest : public AGuestTest {
 protected:
  // The loops it bound, after the test's maps (a map over one of them holds it).
  void release_loops() override;

  // attach_file()/attach() through `loops_`, remembered for the cleanup.
  mapperd::LoopDevice attach_file(const std::string& path, const LoopSettings& settings = {});
  mapperd::LoopDevice attach(int fd, const LoopSettings& settings);
  mapperd::LoopDevice remember(mapperd::LoopDevice device);
  // detach(), after udev has processed the device's events; a few tries when udev probes it
  // (which holds it open for a moment) right then. Throws what the last try threw.
  void detach_when_idle(std::uint32_t index);

  KernelLoopDevices loops_;
  // What this test bound: index and file (the index may have been reused since).
  std::vector<std::pair<std::uint32_t, std::string>> bound_;
};

}  // namespace mapperd::guest
