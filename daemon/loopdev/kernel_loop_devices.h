#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "interfaces/loop_devices.h"

namespace mapperd {

// LoopDevices over the kernel's loop driver: /dev/loop-control (LOOP_CTL_GET_FREE), the
// devices' ioctls (LOOP_CONFIGURE, LOOP_GET_STATUS64, LOOP_CLR_FD) and sysfs. Needs root
// (CAP_SYS_ADMIN) for anything but reading, and a kernel with LOOP_CONFIGURE (5.8).
//
// Reading a device's file identity (LOOP_GET_STATUS64) opens /dev/loopN read-only, which udev
// does not notice. A device with autoclear set is never opened: closing it could be its last
// close, which detaches it; its file's device and inode then come from stat() of the path.
//
// It keeps no state of its own (every call asks the kernel afresh), so, unlike the interface in
// general, calls from several threads are as safe as the kernel makes them: two attaches racing
// for one free device are what the EBUSY retry is for.
class KernelLoopDevices final : public LoopDevices {
 public:
  // `sysfs` and `dev` are where sysfs and the device nodes are (tests of the parsing use their
  // own tree; the ioctls need the real ones).
  explicit KernelLoopDevices(std::filesystem::path sysfs = "/sys",
                             std::filesystem::path dev = "/dev");

  std::vector<LoopDevice> list() const override;
  std::optional<LoopDevice> bound_at(std::uint32_t index) const override;
  std::optional<LoopDevice> find_bound(const LoopBacking& backing) const override;
  LoopDevice attach(int fd, const LoopSettings& settings) override;
  LoopDevice attach_file(const std::string& path, const LoopSettings& settings) override;
  Reattachment reattach(const LoopBacking& backing) override;
  void detach(std::uint32_t index) override;
  void refresh_size(std::uint32_t index) override;
  std::optional<LoopBacking> backing_of_path(const std::string& path,
                                             const LoopSettings& settings) const override;

 private:
  std::string node(std::uint32_t index) const;
  // attach() of `fd`, named `name` in errors.
  LoopDevice bind(std::string_view operation, const std::string& name, int fd,
                  const LoopSettings& settings);

  std::filesystem::path sysfs_;
  std::filesystem::path dev_;
};

}  // namespace mapperd
