#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/device_ref.h"
#include "model/sectors.h"

namespace mapperd {

// One segment as the kernel holds it: the target's type and its parameter string.
struct TargetLine {
  Sectors start;
  Sectors length;
  std::string type;
  std::string params;
  friend bool operator==(const TargetLine&, const TargetLine&) = default;
};

struct TargetVersion {
  std::string name;
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t patch = 0;
  friend bool operator==(const TargetVersion&, const TargetVersion&) = default;
};

// A map as DM_LIST_DEVICES names it.
struct MapListing {
  std::string name;
  std::string uuid;
  DeviceNumber device;
  friend bool operator==(const MapListing&, const MapListing&) = default;
};

// A map's state as DM_DEV_STATUS reports it.
struct MapInfo {
  std::string name;
  std::string uuid;
  DeviceNumber device;
  bool suspended = false;
  bool read_only = false;
  bool live_table = false;
  bool inactive_table = false;
  std::int32_t open_count = 0;
  std::uint32_t target_count = 0;
  std::uint32_t event_number = 0;
  friend bool operator==(const MapInfo&, const MapInfo&) = default;
};

struct CreateRequest {
  std::string name;
  std::string uuid;  // stored as given; the engine adds the MAPPERD- prefix
  std::vector<TargetLine> table;
  bool read_only = false;
};

struct RemoveOptions {
  // Replace the table with "error" and remove even if open (dmsetup remove --force).
  bool force = false;
  // Remove when the last opener closes (dmsetup remove --deferred).
  bool deferred = false;
};

// Everything mapperd asks of device-mapper: one method per ioctl, plus create() and reload(),
// which are sequences with their own rollback. Names are map names, already validated.
//
// Errors: every method throws mapperd::Error. NotFound when the map does not exist,
// AlreadyExists (EEXIST), Busy (EBUSY, with the open count), DeviceMissing when a table names a
// device that does not exist, InvalidTable when the kernel refuses a table (EINVAL, with the
// kernel's own reason where it can be read), TimedOut when udev did not finish in time, Kernel for
// anything else (errno kept). No method leaves a map suspended or half-made on failure unless it
// says so.
//
// Not thread-safe (libdevmapper keeps process-global state): use one instance from one thread.
class KernelBackend {
 public:
  virtual ~KernelBackend() = default;

  // The driver's version (DM_VERSION), "4.47.0".
  virtual std::string driver_version() = 0;
  // Targets the kernel has loaded (DM_LIST_VERSIONS).
  virtual std::vector<TargetVersion> targets() = 0;
  // Every map, ours or not (DM_LIST_DEVICES), sorted by name.
  virtual std::vector<MapListing> list() = 0;
  // DM_DEV_STATUS; nothing when no map has that name.
  virtual std::optional<MapInfo> info(std::string_view name) = 0;
  // The live table (DM_TABLE_STATUS); empty for a map without one.
  virtual std::vector<TargetLine> table(std::string_view name) = 0;
  // The live status lines (DM_TABLE_STATUS with status), one per segment. A target with metadata
  // of its own (thin-pool, cache) commits it first, as `dmsetup status` does, unless `noflush`
  // (`dmsetup status --noflush`): then it answers with what it has and writes nothing.
  virtual std::vector<TargetLine> status(std::string_view name, bool noflush = false) = 0;
  // Devices the live table uses (DM_TABLE_DEPS).
  virtual std::vector<DeviceNumber> dependencies(std::string_view name) = 0;

  // DM_DEV_CREATE, DM_TABLE_LOAD, DM_DEV_SUSPEND (resume). When the load or the resume fails the
  // new device is removed again. Returns once udev has made /dev/mapper/NAME.
  virtual MapInfo create(const CreateRequest& request) = 0;
  // DM_TABLE_LOAD into the inactive slot; the live table is untouched until resume().
  virtual void load(std::string_view name, const std::vector<TargetLine>& table) = 0;
  // DM_TABLE_CLEAR: drops the inactive table.
  virtual void clear_inactive(std::string_view name) = 0;
  // load(), suspend(), resume(): swaps in a new table. When the load fails nothing was
  // suspended; when the resume fails the old table is resumed again.
  virtual void reload(std::string_view name, const std::vector<TargetLine>& table) = 0;
  // DM_DEV_SUSPEND with the suspend flag; I/O is flushed first unless `noflush`.
  virtual void suspend(std::string_view name, bool noflush = false) = 0;
  // DM_DEV_SUSPEND without it: resumes, swapping in the inactive table if there is one.
  virtual void resume(std::string_view name) = 0;
  // DM_DEV_REMOVE. A map that is open is Busy unless forced or deferred. Returns once udev has
  // removed /dev/mapper/NAME.
  virtual void remove(std::string_view name, const RemoveOptions& options = {}) = 0;
  // DM_DEV_RENAME. Returns once udev has moved the /dev/mapper link.
  virtual void rename(std::string_view name, std::string_view new_name) = 0;
  // DM_TARGET_MSG to the segment holding `sector`; returns the target's reply (often empty).
  virtual std::string message(std::string_view name, Sectors sector, std::string_view text) = 0;
  // DM_DEV_WAIT: blocks until the map's event counter passes `event_number`; returns the new
  // counter.
  virtual std::uint32_t wait_event(std::string_view name, std::uint32_t event_number) = 0;

  // A batch of creates shares one udev wait: between begin_udev_batch() and end_udev_batch(),
  // create() returns without waiting for udev, and end_udev_batch() waits once for every one of
  // them (one udev cookie for the batch, as LVM activates a volume group). Restoring many maps at
  // boot is one batch, so its cost is not one udev round trip per map. A batch does not nest.
  // end_udev_batch() throws TimedOut like a create would. Implementations without udev keep
  // these defaults (nothing to wait for).
  virtual void begin_udev_batch() {}
  virtual void end_udev_batch() {}

  // Whether create(), resume(), remove() and rename() wait for udev to update /dev/mapper. False
  // when udev is not running: /dev/mapper/NAME is then not managed, and an implementation that
  // needs udev refuses those operations (Error Kernel) rather than skip the wait silently.
  // Implementations without udev (the fake) keep this default.
  virtual bool udev_synchronised() { return true; }
};

}  // namespace mapperd
