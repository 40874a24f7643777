#pragma once
// Internal to the model: checking a segment against the host's block devices.

#include "block_devices.h"
#include "line_problems.h"
#include "table.h"

namespace mapperd {

// Adds a problem for every device of `segment` that `devices` does not know, and for a segment
// that reaches past the end of the device it maps (when that device's size is known).
void check_segment_devices(const Segment& segment, const BlockDevices& devices,
                           LineProblems& problems);

}  // namespace mapperd
