#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/udev_activity.h"
#include "kernel/kernel_backend.h"
#include "kernel/libdm_log.h"
#include "kernel/sysfs_block_devices.h"
#include "kernel/udev_cookie.h"
#include "kernel/udev_role.h"

namespace mapperd {

struct DmBackendOptions {
  // How long create(), reload(), resume(), remove() and rename() wait for udev to confirm their
  // uevents before they throw TimedOut (having completed and released the cookie).
  std::chrono::milliseconds udev_timeout{std::chrono::seconds(30)};
  // The longest wait between two looks at a cookie when no udev event arrives (see UdevCookie).
  std::chrono::milliseconds udev_recheck{std::chrono::milliseconds(500)};
  // When udev is not running, refuse the operations whose /dev/mapper entries it would manage
  // (Error Kernel, saying so) instead of going on without them.
  bool require_udev = true;
  // Where the kernel's sysfs and log are; tests point these elsewhere.
  std::filesystem::path sysfs = "/sys";
  std::filesystem::path kmsg = "/dev/kmsg";
  // A directory (in /run) where the udev cookies in use are noted (CookieLedger), so the next
  // process can remove the ones a crash left; empty for none.
  std::filesystem::path cookie_ledger;
};

// KernelBackend on libdevmapper: one dm_task per ioctl, udev synchronisation with bounded waits,
// libdevmapper's messages captured (never printed), the kernel's reasons read from /dev/kmsg.
//
// Besides the errors KernelBackend lists: the names given are map names the caller validated
// (model/names.h); this class checks nothing about them. It is mechanism only: it changes any map
// it is asked to, ours or not: which maps are ours is the model's rule (owner_of in
// model/names.h), and the engine refuses to change the others.
//
// libdevmapper keeps process-wide state (its control fd, its log handler, its node operations):
// at most one DmBackend may exist at a time, used from one thread (KernelThread).
class DmBackend final : public KernelBackend {
 public:
  // Throws Error(Kernel) "device-mapper is not available in this kernel; load dm_mod" when the
  // kernel has no device-mapper driver. This is checked before libdevmapper is touched:
  // libdevmapper would otherwise create /dev/mapper/control even for a kernel without the driver.
  // Throws Error(Kernel) when the control device cannot be opened (e.g. without CAP_SYS_ADMIN), and
  // Error(Failed) while another DmBackend exists.
  explicit DmBackend(UdevActivity& udev, DmBackendOptions options = {});
  ~DmBackend() override;
  DmBackend(const DmBackend&) = delete;
  DmBackend& operator=(const DmBackend&) = delete;

  std::string driver_version() override;
  std::vector<TargetVersion> targets() override;
  std::vector<MapListing> list() override;
  std::optional<MapInfo> info(std::string_view name) override;
  std::vector<TargetLine> table(std::string_view name) override;
  std::vector<TargetLine> status(std::string_view name, bool noflush = false) override;
  std::vector<DeviceNumber> dependencies(std::string_view name) override;

  // Refuses up front, before the kernel sees anything: an existing name (AlreadyExists) and a
  // table naming a device that does not exist (DeviceMissing, for the typed targets).
  MapInfo create(const CreateRequest& request) override;
  // Keeps the map's read-only mode.
  void load(std::string_view name, const std::vector<TargetLine>& table) override;
  void clear_inactive(std::string_view name) override;
  // When the load fails the inactive slot is cleared too (nothing is left half-loaded). The kernel
  // checks a new table against its devices' sizes only when it swaps it in: such a refusal comes
  // from the resume, is InvalidTable all the same, and the old table is resumed.
  void reload(std::string_view name, const std::vector<TargetLine>& table) override;
  void suspend(std::string_view name, bool noflush = false) override;
  void resume(std::string_view name) override;
  // An open map is Busy, unless only udev holds it: while udev has events in progress, waits
  // (bounded by udev_timeout) for its opens to go away. Retries for a few seconds when the kernel
  // still says EBUSY, for an open udev made after we looked. `force` swaps in an "error" table of
  // the same size first, so the openers' I/O fails (dmsetup remove --force); the kernel still
  // refuses to remove a map that stays open (Busy). `deferred` returns with the map still there
  // while it is open; the kernel removes it at the last close.
  void remove(std::string_view name, const RemoveOptions& options = {}) override;
  void rename(std::string_view name, std::string_view new_name) override;
  // Target messages and the map-level "@..." messages (e.g. "@stats_create - /1" answers the new
  // region's id). A refused message is InvalidArgument with the kernel's reason.
  std::string message(std::string_view name, Sectors sector, std::string_view text) override;
  std::uint32_t wait_event(std::string_view name, std::uint32_t event_number) override;

  // libdevmapper's own answer (dm_udev_get_sync_support), taken once at construction: it checks
  // for a running udev (/run/udev/control) once per process and never again.
  bool udev_synchronised() override { return udev_synchronised_; }
  void begin_udev_batch() override;
  void end_udev_batch() override;

 private:
  // The state of `name` as DM_DEV_STATUS has it; NotFound when there is none.
  MapInfo existing(std::string_view operation, std::string_view name);
  void require_udev(std::string_view operation, std::string_view name) const;
  // DeviceMissing when a typed target of `table` names a block device that does not exist.
  void check_devices(std::string_view operation, std::string_view name,
                     const std::vector<TargetLine>& table) const;
  UdevCookie make_cookie(std::string_view operation, std::string_view name);
  // The cookie's flags: ours, and those that tell udev's rules what the map is (udev_role.h).
  std::uint16_t udev_flags(UdevRole role = UdevRole::Visible) const;

  // The ioctl steps, each throwing the errors of its operation.
  void load_table(std::string_view operation, std::string_view name,
                  const std::vector<TargetLine>& table, bool read_only, DeviceNumber device);
  void clear_table(std::string_view operation, std::string_view name);
  void suspend_map(std::string_view operation, std::string_view name, bool noflush);
  void resume_map(std::string_view operation, std::string_view name, UdevCookie& cookie,
                  UdevRole role);
  void remove_map(std::string_view operation, std::string_view name, UdevCookie& cookie,
                  bool deferred);
  // What a rollback did, for the error message of the failure it follows. Never throws.
  std::string remove_half_made(std::string_view operation, std::string_view name,
                               UdevCookie& cookie) noexcept;
  std::string restore_old_table(std::string_view operation, std::string_view name,
                                UdevCookie& cookie, UdevRole role) noexcept;
  std::vector<TargetLine> target_lines(std::string_view operation, std::string_view name,
                                       int task_type, bool noflush = false);

  // What every cookie is made with: the options' timing, and the ledger if there is one.
  UdevCookie::Timing cookie_timing() const {
    return {options_.udev_timeout, options_.udev_recheck};
  }
  CookieLedger* ledger() { return ledger_ ? &*ledger_ : nullptr; }

  DmBackendOptions options_;
  std::optional<CookieLedger> ledger_;
  UdevActivity& udev_;
  SysfsBlockDevices devices_;
  LibdmLog log_;
  bool udev_synchronised_ = false;
  // The batch's one cookie, between begin_udev_batch() and end_udev_batch().
  std::optional<UdevCookie> batch_cookie_;
};

}  // namespace mapperd
