#pragma once
// The errors of LoopDevices, worded in one place so the real implementation and the fake say the
// same thing: "<operation> <object>: <ERRNO>: <what it means, what to do>".

#include <cstdint>
#include <string>
#include <string_view>

#include "model/device_ref.h"
#include "model/error.h"

namespace mapperd::loop_errors {

// The symbolic name of an errno value ("ENXIO"), or "errno 1234" when it has none.
std::string errno_name(int error_number);

// "loop3".
std::string loop_name(std::uint32_t index);

// InvalidArgument: `file` cannot back a loop device; `why` says what it is instead.
Error not_attachable(std::string_view operation, std::string_view file, std::string_view why,
                     int error_number = 0);
// InvalidArgument (ELOOP): the last component of `path` is a symbolic link.
Error symbolic_link(std::string_view operation, std::string_view path);
// InvalidArgument (ELOOP): some component of `path` is a symbolic link (a stored path is
// followed only through real directories).
Error symbolic_link_on_path(std::string_view operation, std::string_view path);
// NotFound (ENOENT): nothing at `path`.
Error no_such_file(std::string_view operation, std::string_view path, int error_number);
// InvalidArgument: `path` now names another file than the one that was attached.
Error file_replaced(std::string_view operation, std::string_view path, DeviceNumber was_device,
                    std::uint64_t was_inode, DeviceNumber now_device, std::uint64_t now_inode);
// NotFound (ENXIO): /dev/loop<index> is not bound.
Error not_bound(std::string_view operation, std::uint32_t index);
// Busy (EBUSY): /dev/loop<index> is in use; `by` says by what.
Error busy(std::string_view operation, std::uint32_t index, std::string_view by);
// Kernel: the loop driver refused `operation` on `object` with `error_number`.
Error kernel_failure(std::string_view operation, std::string_view object, int error_number,
                     std::string_view detail = {});
// Failed: a system call other than the loop driver's failed.
Error system_failure(std::string_view operation, std::string_view object, int error_number,
                     std::string_view detail = {});

}  // namespace mapperd::loop_errors
