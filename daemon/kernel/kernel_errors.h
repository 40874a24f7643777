#pragma once
// The errors every KernelBackend throws, worded in one place so that the real backend and the fake
// say the same thing. Every message reads "<operation> <map>: <ERRNO>: <what it means here>",
// e.g. "create twoasone: EEXIST: a map with this name already exists".

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace mapperd::kernel_errors {

// The symbolic name of an errno value ("ENXIO"), or "errno 1234" when it has none.
std::string errno_name(int error_number);

// NotFound (ENXIO): "remove twoasone: ENXIO: no map with this name".
Error map_not_found(std::string_view operation, std::string_view name);
// AlreadyExists (EEXIST): "create twoasone: EEXIST: a map with this name already exists".
Error map_exists(std::string_view operation, std::string_view name);
// AlreadyExists (EEXIST) for a UUID another map carries.
Error uuid_exists(std::string_view operation, std::string_view name, std::string_view uuid);
// Busy (EBUSY): "remove twoasone: EBUSY: device is in use (open count 1)".
Error map_busy(std::string_view operation, std::string_view name, std::int32_t open_count);
// Busy (EBUSY) for other refusals; `detail` says what libdevmapper or the kernel reported.
Error busy(std::string_view operation, std::string_view name, std::string_view detail);
// AlreadyExists (EEXIST) for a rename onto a name another map has.
Error name_taken(std::string_view operation, std::string_view name, std::string_view new_name);
// DeviceMissing (ENODEV): the table names a block device that does not exist. `device` may be
// empty when only the kernel's words (`detail`) say which.
Error device_missing(std::string_view operation, std::string_view name, std::string_view device,
                     std::string_view detail = {});
// InvalidTable (EINVAL): the kernel refused the table; `reason` is its own explanation.
Error invalid_table(std::string_view operation, std::string_view name, std::string_view reason);
// InvalidArgument (EINVAL): the target refused a message.
Error message_refused(std::string_view operation, std::string_view name, std::string_view reason);
// TimedOut: udev did not confirm the operation's uevents in time.
Error udev_timed_out(std::string_view operation, std::string_view name,
                     std::chrono::milliseconds waited);
// Kernel: udev is not running, so the operation's /dev/mapper entries would not be managed.
Error udev_not_running(std::string_view operation, std::string_view name);
// Kernel: any other failure, with its errno (0 when the failure happened before the ioctl).
Error kernel_failure(std::string_view operation, std::string_view name, int error_number,
                     std::string_view detail);

// What a refused DM_TABLE_LOAD means. The ioctl gives only `error_number`; the kernel's own
// reason is in its log (`kernel_messages`, the "device-mapper:" lines about this map), and
// libdevmapper adds its summary (`libdm`, used when the log could not be read):
//   "Device lookup failed" (ENXIO/ENODEV for numbers, ENOENT/ENOTBLK for paths) -> DeviceMissing;
//   ENXIO while the map is gone (`map_exists` false)                            -> NotFound;
//   EINVAL                                                 -> InvalidTable with the kernel's
//   reason; EBUSY (a device held exclusively elsewhere)                                 -> Busy;
//   anything else                                                               -> Kernel.
Error load_refused(std::string_view operation, std::string_view name, int error_number,
                   const std::vector<std::string>& kernel_messages, std::string_view libdm,
                   bool map_exists);

// `error` with `note` appended to its message, same kind and errno: used to say what a rollback
// did.
Error with_note(const Error& error, std::string_view note);

}  // namespace mapperd::kernel_errors
