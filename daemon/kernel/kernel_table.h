#pragma once
// Converting between the model's tables and the lines the kernel takes and prints.

#include <set>
#include <string>
#include <vector>

#include "kernel/kernel_backend.h"
#include "model/block_devices.h"
#include "model/table.h"

namespace mapperd {

// One TargetLine per segment, its parameters as format_target_args() prints them. Never throws.
std::vector<TargetLine> to_target_lines(const Table& table);

// The table the lines describe, read by the model's parser: the typed targets are checked field by
// field; a target named in `passthrough_targets` keeps its parameters verbatim. Throws
// Error(InvalidTable) with the model's problems, e.g. for a target that is neither.
Table from_target_lines(const std::vector<TargetLine>& lines,
                        const std::set<std::string>& passthrough_targets);

// The same lines as table text, one "start length type params" line each, ending in '\n'.
std::string format_target_lines(const std::vector<TargetLine>& lines);

// True for the target types the model has a type for ("linear", "striped", "snapshot", ...).
bool is_typed_target(const std::string& type);

// `table` with every device path replaced by the device number it names, as the kernel prints
// tables. Throws Error(DeviceMissing) naming the first reference that names no block device.
Table with_device_numbers(const Table& table, const BlockDevices& devices);

}  // namespace mapperd
