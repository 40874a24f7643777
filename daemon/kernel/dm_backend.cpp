// KernelBackend over libdevmapper: one method per device-mapper ioctl, each with its udev
// cookie, its rollback of a half-done step and its errors worded for the caller. One
// responsibility, kept in one file (about 600 lines) because every method shares the task
// wrapper and cookie handling at its top.
#include "kernel/dm_backend.h"

#include <libdevmapper.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <set>
#include <system_error>

#include "kernel/kernel_errors.h"
#include "kernel/kernel_log.h"
#include "kernel/kernel_table.h"
#include "model/table.h"

namespace mapperd {
namespace {

namespace errors = kernel_errors;

struct TaskDeleter {
  void operator()(dm_task* task) const noexcept { dm_task_destroy(task); }
};
using TaskPtr = std::unique_ptr<dm_task, TaskDeleter>;

// One ioctl: the task, the operation and map it is for (to word errors), and libdevmapper's
// messages about it.
class Call {
 public:
  Call(LibdmLog& log, std::string_view operation, std::string_view name, int type)
      : log_(log), operation_(operation), name_(name) {
    log_.clear();
    task_.reset(dm_task_create(type));
    if (!task_)
      fail_setup("cannot create a device-mapper task");
    if (!name_.empty())
      check(dm_task_set_name(get(), name_.c_str()), "cannot set the map name");
  }

  dm_task* get() const { return task_.get(); }
  const std::string& name() const { return name_; }

  // For the dm_task_set_*() calls: they fail only on bad input or memory.
  void check(int ok, std::string_view what) const {
    if (ok == 0)
      fail_setup(what);
  }

  // Runs the ioctl; false when it failed, error_number() and libdm() then say why.
  bool run() {
    log_.clear();
    if (dm_task_run(get()) != 0)
      return true;
    error_number_ = dm_task_get_errno(get());
    libdm_ = log_.text();
    return false;
  }

  int error_number() const { return error_number_; }
  const std::string& libdm() const { return libdm_; }

  // DM_DEV_STATUS-style answer of the last run; `exists` false when there was no such map.
  dm_info info() const {
    dm_info info{};
    check(dm_task_get_info(get(), &info), "cannot read the map's state from the answer");
    return info;
  }

  // The error a failed run means when the operation has no reading of its own.
  Error failure() const {
    switch (error_number_) {
      case ENXIO:
      case ENODEV:
        return errors::map_not_found(operation_, name_);
      case EEXIST:
        return errors::map_exists(operation_, name_);
      case EBUSY:
        return errors::busy(operation_, name_, libdm_);
      default:
        return errors::kernel_failure(operation_, name_, error_number_, libdm_);
    }
  }

 private:
  [[noreturn]] void fail_setup(std::string_view what) const {
    std::string detail(what);
    if (const std::string libdm = log_.text(); !libdm.empty())
      detail += ": " + libdm;
    throw errors::kernel_failure(operation_, name_, 0, detail);
  }

  LibdmLog& log_;
  std::string operation_;
  std::string name_;
  TaskPtr task_;
  int error_number_ = 0;
  std::string libdm_;
};

DeviceNumber device_number(std::uint64_t dev) {
  // The kernel hands out new_encode_dev()/huge_encode_dev() values; glibc's major()/minor()
  // decode both.
  return DeviceNumber{::major(dev), ::minor(dev)};
}

MapInfo to_map_info(const Call& call, const dm_info& info) {
  MapInfo map;
  const char* name = dm_task_get_name(call.get());
  const char* uuid = dm_task_get_uuid(call.get());
  map.name = name != nullptr ? name : call.name();
  map.uuid = uuid != nullptr ? uuid : "";
  map.device = DeviceNumber{info.major, info.minor};
  map.suspended = info.suspended != 0;
  map.read_only = info.read_only != 0;
  map.live_table = info.live_table != 0;
  map.inactive_table = info.inactive_table != 0;
  map.open_count = info.open_count;
  map.target_count = static_cast<std::uint32_t>(info.target_count);
  map.event_number = info.event_nr;
  return map;
}

std::string trim_right(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n'))
    text.pop_back();
  return text;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines)
    text += (text.empty() ? "" : "; ") + line;
  return text;
}

void require_driver(const std::filesystem::path& sysfs) {
  std::error_code error;
  if (!std::filesystem::exists(sysfs / "class" / "misc" / "device-mapper", error)) {
    throw Error(ErrorKind::Kernel,
                "device-mapper is not available in this kernel; load dm_mod (modprobe dm_mod)");
  }
}

DmBackendOptions checked(DmBackendOptions options) {
  require_driver(options.sysfs);
  return options;
}

}  // namespace

DmBackend::DmBackend(UdevActivity& udev, DmBackendOptions options)
    : options_(checked(std::move(options))), udev_(udev), devices_(options_.sysfs) {
  if (!options_.cookie_ledger.empty())
    ledger_.emplace(options_.cookie_ledger);
  // Names go to the kernel and come back exactly as they are: ours never need mangling (the model
  // allows only udev-safe characters), and other tools' names must be passed back unchanged.
  dm_set_name_mangling_mode(DM_STRING_MANGLING_NONE);
  // Opens the control device now, so that a missing permission fails here, clearly.
  driver_version();
  udev_synchronised_ = dm_udev_get_sync_support() != 0;
}

DmBackend::~DmBackend() {
  // Closes the control fd and drops libdevmapper's caches; log_ restores the default handler.
  dm_lib_release();
}

std::string DmBackend::driver_version() {
  Call call(log_, "version", "", DM_DEVICE_VERSION);
  if (!call.run())
    throw call.failure();
  std::array<char, 64> version{};
  call.check(dm_task_get_driver_version(call.get(), version.data(), version.size()),
             "cannot read the driver version");
  return version.data();
}

std::vector<TargetVersion> DmBackend::targets() {
  Call call(log_, "targets", "", DM_DEVICE_LIST_VERSIONS);
  if (!call.run())
    throw call.failure();
  std::vector<TargetVersion> targets;
  // A chain of records, each giving the offset of the next; the last one points at itself.
  dm_versions* target = dm_task_get_versions(call.get());
  for (dm_versions* last = nullptr; target != nullptr && target != last;) {
    last = target;
    targets.push_back({target->name, target->version[0], target->version[1], target->version[2]});
    target = reinterpret_cast<dm_versions*>(reinterpret_cast<char*>(target) + target->next);
  }
  return targets;
}

std::vector<MapListing> DmBackend::list() {
  std::vector<std::string> names;
  {
    Call call(log_, "list", "", DM_DEVICE_LIST);
    if (!call.run())
      throw call.failure();
    dm_names* entry = dm_task_get_names(call.get());
    // An empty list is one record with dev 0; otherwise each gives the offset of the next, 0 at
    // the end.
    if (entry != nullptr && entry->dev != 0) {
      for (;;) {
        names.emplace_back(entry->name);
        if (entry->next == 0)
          break;
        entry = reinterpret_cast<dm_names*>(reinterpret_cast<char*>(entry) + entry->next);
      }
    }
  }
  // DM_LIST_DEVICES carries UUIDs only from driver 4.46 on, and libdevmapper 1.02.185 does not
  // hand them out: ask each map. A map removed in between is simply not listed.
  std::vector<MapListing> maps;
  for (const std::string& name : names) {
    if (const std::optional<MapInfo> map = info(name)) {
      maps.push_back({map->name, map->uuid, map->device});
    }
  }
  std::sort(maps.begin(), maps.end(),
            [](const MapListing& a, const MapListing& b) { return a.name < b.name; });
  return maps;
}

std::optional<MapInfo> DmBackend::info(std::string_view name) {
  Call call(log_, "info", name, DM_DEVICE_INFO);
  // libdevmapper turns ENXIO into success with `exists` cleared.
  if (!call.run())
    throw call.failure();
  const dm_info info = call.info();
  if (info.exists == 0)
    return std::nullopt;
  return to_map_info(call, info);
}

MapInfo DmBackend::existing(std::string_view operation, std::string_view name) {
  std::optional<MapInfo> map = info(name);
  if (!map)
    throw errors::map_not_found(operation, name);
  return *map;
}

std::vector<TargetLine> DmBackend::target_lines(std::string_view operation, std::string_view name,
                                                int task_type, bool noflush) {
  Call call(log_, operation, name, task_type);
  if (noflush)
    call.check(dm_task_no_flush(call.get()), "cannot ask for a status without flush");
  if (!call.run())
    throw call.failure();
  if (call.info().exists == 0)
    throw errors::map_not_found(operation, name);
  std::vector<TargetLine> lines;
  void* next = nullptr;
  do {
    std::uint64_t start = 0;
    std::uint64_t length = 0;
    char* type = nullptr;
    char* params = nullptr;
    next = dm_get_next_target(call.get(), next, &start, &length, &type, &params);
    // A map without a live table answers one empty record.
    if (type != nullptr) {
      lines.push_back(
          {Sectors(start), Sectors(length), type, trim_right(params != nullptr ? params : "")});
    }
  } while (next != nullptr);
  return lines;
}

std::vector<TargetLine> DmBackend::table(std::string_view name) {
  return target_lines("table", name, DM_DEVICE_TABLE);
}

std::vector<TargetLine> DmBackend::status(std::string_view name, bool noflush) {
  return target_lines("status", name, DM_DEVICE_STATUS, noflush);
}

std::vector<DeviceNumber> DmBackend::dependencies(std::string_view name) {
  Call call(log_, "deps", name, DM_DEVICE_DEPS);
  if (!call.run())
    throw call.failure();
  if (call.info().exists == 0)
    throw errors::map_not_found("deps", name);
  std::vector<DeviceNumber> devices;
  const dm_deps* deps = dm_task_get_deps(call.get());
  for (std::uint32_t i = 0; deps != nullptr && i < deps->count; ++i) {
    devices.push_back(device_number(deps->device[i]));
  }
  return devices;
}

void DmBackend::require_udev(std::string_view operation, std::string_view name) const {
  if (options_.require_udev && !udev_synchronised_) {
    throw errors::udev_not_running(operation, name);
  }
}

std::uint16_t DmBackend::udev_flags(UdevRole role) const {
  // udev's dm rules make and remove /dev/mapper/NAME and record them in udev's database; with
  // libdevmapper's own fallback on, it would make nodes behind udev's back (LVM and multipath
  // turn it off the same way). Without udev the fallback is all there is.
  const std::uint16_t fallback = udev_synchronised_ ? DM_UDEV_DISABLE_LIBRARY_FALLBACK : 0;
  return fallback | udev_role_flags(role);
}

UdevCookie DmBackend::make_cookie(std::string_view operation, std::string_view name) {
  return UdevCookie(udev_, cookie_timing(), operation, name, ledger());
}

void DmBackend::check_devices(std::string_view operation, std::string_view name,
                              const std::vector<TargetLine>& table) const {
  // The kernel says only "Device lookup failed" (and that only in its log): find the device it
  // means ourselves, for the targets whose devices we know.
  std::set<std::string> passthrough;
  for (const TargetLine& line : table) {
    if (!is_typed_target(line.type))
      passthrough.insert(line.type);
  }
  Table parsed;
  try {
    parsed = from_target_lines(table, passthrough);
  } catch (const Error&) {
    return;  // not a table the model can read: the kernel judges it, and says why
  }
  for (const DeviceRef& device : referenced_devices(parsed)) {
    if (!devices_.resolve(device))
      throw errors::device_missing(operation, name, device.text());
  }
}

void DmBackend::load_table(std::string_view operation, std::string_view name,
                           const std::vector<TargetLine>& table, bool read_only,
                           DeviceNumber device) {
  Call call(log_, operation, name, DM_DEVICE_RELOAD);
  for (const TargetLine& line : table) {
    call.check(dm_task_add_target(call.get(), line.start.count(), line.length.count(),
                                  line.type.c_str(), line.params.c_str()),
               "cannot add a target line");
  }
  if (read_only)
    call.check(dm_task_set_ro(call.get()), "cannot make the table read-only");

  // Positioned before the ioctl: whatever device-mapper logs after this is about our table.
  KernelLogCursor kernel_log(options_.kmsg);
  if (call.run())
    return;

  const std::vector<std::string> reasons =
      about_device(kernel_log.device_mapper_messages(), device);
  // ENXIO is both "no such map" and "no such device": only asking tells them apart.
  const bool map_exists = call.error_number() != ENXIO || info(name).has_value();
  throw errors::load_refused(operation, name, call.error_number(), reasons, call.libdm(),
                             map_exists);
}

void DmBackend::clear_table(std::string_view operation, std::string_view name) {
  Call call(log_, operation, name, DM_DEVICE_CLEAR);
  if (!call.run())
    throw call.failure();
}

void DmBackend::suspend_map(std::string_view operation, std::string_view name, bool noflush) {
  Call call(log_, operation, name, DM_DEVICE_SUSPEND);
  if (noflush)
    call.check(dm_task_no_flush(call.get()), "cannot ask for a suspend without flush");
  if (!call.run())
    throw call.failure();
}

void DmBackend::resume_map(std::string_view operation, std::string_view name, UdevCookie& cookie,
                           UdevRole role) {
  Call call(log_, operation, name, DM_DEVICE_RESUME);
  // The resume's uevent is the one udev's rules act on (links, blkid): it carries the role.
  cookie.attach(call.get(), udev_flags(role));
  KernelLogCursor kernel_log(options_.kmsg);
  // A resume that makes no uevent (nothing was suspended) is completed by libdevmapper itself.
  if (call.run())
    return;
  // Swapping in a new table is where the kernel checks it against the devices' sizes and limits
  // when the map already had one ("loop0 too small for target"): such a refusal is the table's.
  if (call.error_number() == EINVAL) {
    const std::vector<std::string> messages = kernel_log.device_mapper_messages();
    const std::optional<MapInfo> map = info(name);
    const std::vector<std::string> reasons = map ? about_device(messages, map->device) : messages;
    throw errors::invalid_table(operation, name, reasons.empty() ? call.libdm() : joined(reasons));
  }
  throw call.failure();
}

void DmBackend::remove_map(std::string_view operation, std::string_view name, UdevCookie& cookie,
                           bool deferred) {
  Call call(log_, operation, name, DM_DEVICE_REMOVE);
  // udev's rules (blkid and friends) open a new map for a moment: retry EBUSY for a few seconds,
  // as dmsetup does, since we checked that nothing else held it open.
  call.check(dm_task_retry_remove(call.get()), "cannot ask for retries");
  if (deferred)
    call.check(dm_task_deferred_remove(call.get()), "cannot ask for a deferred remove");
  cookie.attach(call.get(), udev_flags());
  if (call.run())
    return;
  if (call.error_number() == EBUSY) {
    const std::optional<MapInfo> map = info(name);
    throw errors::map_busy(operation, name, map ? map->open_count : 0);
  }
  throw call.failure();
}

std::string DmBackend::remove_half_made(std::string_view operation, std::string_view name,
                                        UdevCookie& cookie) noexcept {
  try {
    remove_map(operation, name, cookie, false);
    return "the half-made map was removed again";
  } catch (const std::exception& error) {
    return "removing the half-made map failed too (" + std::string(error.what()) + ")";
  }
}

std::string DmBackend::restore_old_table(std::string_view operation, std::string_view name,
                                         UdevCookie& cookie, UdevRole role) noexcept {
  try {
    // A failed resume may leave the new table in the inactive slot; dropping it makes the next
    // resume bring back the old one.
    clear_table(operation, name);
    resume_map(operation, name, cookie, role);
    return "the old table was resumed";
  } catch (const std::exception& error) {
    return "resuming the old table failed too (" + std::string(error.what()) +
           "); the map is still suspended";
  }
}

MapInfo DmBackend::create(const CreateRequest& request) {
  constexpr std::string_view op = "create";
  const std::string& name = request.name;
  require_udev(op, name);
  if (info(name))
    throw errors::map_exists(op, name);
  check_devices(op, name, request.table);

  // In a batch, the batch's cookie collects this create's uevent; end_udev_batch() waits.
  std::optional<UdevCookie> own_cookie;
  UdevCookie& cookie = batch_cookie_
                           ? *batch_cookie_
                           : own_cookie.emplace(udev_, cookie_timing(), op, name, ledger());
  {
    Call call(log_, op, name, DM_DEVICE_CREATE);
    if (!request.uuid.empty()) {
      call.check(dm_task_set_uuid(call.get(), request.uuid.c_str()), "cannot set the UUID");
    }
    if (!call.run()) {
      // The kernel answers EBUSY, not EEXIST, when the name or the UUID is taken.
      if (call.error_number() == EBUSY || call.error_number() == EEXIST) {
        if (info(name))
          throw errors::map_exists(op, name);
        if (!request.uuid.empty())
          throw errors::uuid_exists(op, name, request.uuid);
      }
      throw call.failure();
    }
  }
  // The device exists from here on: a failure must take it away again.
  try {
    const MapInfo made = existing(op, name);
    load_table(op, name, request.table, request.read_only, made.device);
    resume_map(op, name, cookie, udev_role(request.uuid, request.table));
  } catch (const Error& error) {
    throw errors::with_note(error, remove_half_made(op, name, cookie));
  }
  if (own_cookie)
    cookie.wait();
  return existing(op, name);
}

void DmBackend::begin_udev_batch() {
  if (batch_cookie_)
    throw Error(ErrorKind::Failed, "a udev batch is already open");
  batch_cookie_.emplace(udev_, cookie_timing(), "create", "a batch of maps", ledger());
}

void DmBackend::end_udev_batch() {
  if (!batch_cookie_)
    return;
  // Released whatever the wait says: the next batch needs a fresh one.
  struct Release {
    std::optional<UdevCookie>& cookie;
    ~Release() { cookie.reset(); }
  } release{batch_cookie_};
  batch_cookie_->wait();
}

void DmBackend::load(std::string_view name, const std::vector<TargetLine>& table) {
  constexpr std::string_view op = "load";
  const MapInfo map = existing(op, name);
  check_devices(op, name, table);
  load_table(op, name, table, map.read_only, map.device);
}

void DmBackend::clear_inactive(std::string_view name) {
  clear_table("clear", name);
}

void DmBackend::reload(std::string_view name, const std::vector<TargetLine>& table) {
  constexpr std::string_view op = "reload";
  require_udev(op, name);
  const MapInfo map = existing(op, name);
  check_devices(op, name, table);
  // Before the suspend: if the semaphore cannot be made, nothing has happened yet.
  UdevCookie cookie = make_cookie(op, name);

  const auto drop_new_table = [&]() -> std::string {
    try {
      clear_table(op, name);
      return "nothing was suspended; the live table is unchanged";
    } catch (const std::exception& error) {
      return "clearing the new table failed too (" + std::string(error.what()) + ")";
    }
  };
  try {
    load_table(op, name, table, map.read_only, map.device);
  } catch (const Error& error) {
    throw errors::with_note(error, drop_new_table());
  }
  try {
    suspend_map(op, name, false);
  } catch (const Error& error) {
    throw errors::with_note(error, drop_new_table());
  }
  const UdevRole role = udev_role(map.uuid, table);
  try {
    resume_map(op, name, cookie, role);
  } catch (const Error& error) {
    throw errors::with_note(error, restore_old_table(op, name, cookie, role));
  }
  cookie.wait();
}

void DmBackend::suspend(std::string_view name, bool noflush) {
  suspend_map("suspend", name, noflush);
}

void DmBackend::resume(std::string_view name) {
  constexpr std::string_view op = "resume";
  require_udev(op, name);
  // What the map is decides udev's flags; a map that is gone fails the resume itself.
  UdevRole role = UdevRole::Visible;
  if (const std::optional<MapInfo> map = info(name))
    role = udev_role(map->uuid, map->live_table ? table(name) : std::vector<TargetLine>{});
  UdevCookie cookie = make_cookie(op, name);
  resume_map(op, name, cookie, role);
  cookie.wait();
}

void DmBackend::remove(std::string_view name, const RemoveOptions& options) {
  constexpr std::string_view op = "remove";
  require_udev(op, name);
  MapInfo map = existing(op, name);
  if (map.open_count > 0 && !options.force && !options.deferred) {
    // udev's rules open a new or just written map for a moment (blkid, and the "watch" rule after
    // a writer closes it): while udev is busy, give its opens time to go away.
    const auto deadline = std::chrono::steady_clock::now() + options_.udev_timeout;
    while (map.open_count > 0 && !udev_.settled() && std::chrono::steady_clock::now() < deadline) {
      udev_.wait(options_.udev_recheck);
      map = existing(op, name);
    }
    if (map.open_count > 0)
      throw errors::map_busy(op, name, map.open_count);
  }
  UdevCookie cookie = make_cookie(op, name);
  if (options.force && map.open_count > 0) {
    // As dmsetup remove --force: the openers' I/O fails from now on, whether or not the kernel
    // then lets the map go.
    Sectors size(0);
    for (const TargetLine& line : table(name))
      size = line.start + line.length;
    if (size.count() > 0) {
      load_table(op, name, {{Sectors(0), size, "error", ""}}, map.read_only, map.device);
      suspend_map(op, name, true);
      resume_map(op, name, cookie, UdevRole::Visible);
    }
  }
  remove_map(op, name, cookie, options.deferred);
  cookie.wait();
}

void DmBackend::rename(std::string_view name, std::string_view new_name) {
  constexpr std::string_view op = "rename";
  require_udev(op, name);
  UdevCookie cookie = make_cookie(op, name);
  Call call(log_, op, name, DM_DEVICE_RENAME);
  const std::string target(new_name);
  call.check(dm_task_set_newname(call.get(), target.c_str()), "cannot set the new name");
  cookie.attach(call.get(), udev_flags());
  if (!call.run()) {
    // The kernel answers EBUSY when the new name is taken.
    if (call.error_number() == EBUSY && info(new_name)) {
      throw errors::name_taken(op, name, new_name);
    }
    throw call.failure();
  }
  cookie.wait();
}

std::string DmBackend::message(std::string_view name, Sectors sector, std::string_view text) {
  constexpr std::string_view op = "message";
  Call call(log_, op, name, DM_DEVICE_TARGET_MSG);
  const std::string message_text(text);
  call.check(dm_task_set_sector(call.get(), sector.count()), "cannot set the sector");
  call.check(dm_task_set_message(call.get(), message_text.c_str()), "cannot set the message");
  KernelLogCursor kernel_log(options_.kmsg);
  if (!call.run()) {
    if (call.error_number() == EINVAL) {
      const std::vector<std::string> reasons = kernel_log.device_mapper_messages();
      throw errors::message_refused(op, name, reasons.empty() ? call.libdm() : joined(reasons));
    }
    throw call.failure();
  }
  const char* response = dm_task_get_message_response(call.get());
  return trim_right(response != nullptr ? response : "");
}

std::uint32_t DmBackend::wait_event(std::string_view name, std::uint32_t event_number) {
  constexpr std::string_view op = "wait";
  Call call(log_, op, name, DM_DEVICE_WAITEVENT);
  call.check(dm_task_set_event_nr(call.get(), event_number), "cannot set the event number");
  if (!call.run())
    throw call.failure();
  const dm_info info = call.info();
  if (info.exists == 0)
    throw errors::map_not_found(op, name);
  return info.event_nr;
}

}  // namespace mapperd
