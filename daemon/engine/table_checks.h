#pragma once
// The table checks the use cases run before the kernel sees a table: against the targets the
// running kernel lists and, when the engine knows them, the host's block devices.

#include <string>
#include <string_view>
#include <vector>

#include "kernel/kernel_backend.h"
#include "model/block_devices.h"
#include "model/table_parser.h"

namespace mapperd {

// How the model reads tables on this kernel: its typed targets, and every other target in
// `targets` (as the kernel lists them) passed through. With `devices`, every device must exist
// and every segment fit inside its device; without, only the syntax is checked (what the kernel
// thread needs to name a table's devices, or a pending map to know its size).
TableContext table_context(const std::vector<TargetVersion>& targets,
                           const BlockDevices* devices = nullptr);

// `text` parsed for the kernel. Throws InvalidTable for a table wrong in itself or for its
// devices (a segment past a device's end) and DeviceMissing for a device that does not exist;
// `operation` ("create NAME") starts each message. Without `devices` only the table itself is
// checked. Changes nothing.
std::vector<TargetLine> checked_table(const std::string& operation, std::string_view text,
                                      const std::vector<TargetVersion>& targets,
                                      const BlockDevices* devices);

}  // namespace mapperd
