#pragma once

#include "model/device_ref.h"
#include "model/sectors.h"

namespace mapperd {

// Writes zeros over the first `length` sectors of the block device `device` names and flushes
// them to it. Looks first (O_PATH, fstat): anything but a block device (a FIFO, a tty, a regular
// file, behind a symbolic link or not) is refused with InvalidArgument without being opened.
// Then opens that node exclusively (O_EXCL), so a device that is mounted or mapped by anything
// else is refused with Busy instead of being overwritten under its user. DeviceMissing when there
// is no such device; Kernel (with errno) when writing fails. Writes from one 64 KiB buffer
// whatever the length. Blocks: call it on the kernel thread.
void zero_device_start(const DeviceRef& device, Sectors length);

}  // namespace mapperd
