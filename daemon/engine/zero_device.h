#pragma once

#include "model/device_ref.h"
#include "model/sectors.h"

namespace mapperd {

// Writes zeros over the first `length` sectors of the block device `device` names and flushes
// them to it. Opens it exclusively (O_EXCL), so a device that is mounted or mapped by anything
// else is refused with Busy instead of being overwritten under its user. DeviceMissing when there
// is no such device; Kernel (with errno) when writing fails. Blocks: call it on the kernel thread.
void zero_device_start(const DeviceRef& device, Sectors length);

}  // namespace mapperd
