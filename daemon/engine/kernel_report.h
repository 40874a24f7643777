#pragma once
// Turning what the kernel reports (table and status lines) into the values the catalog shows.
// Pure functions: tested on captured kernel output.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/kernel_backend.h"
#include "map_record.h"

namespace mapperd {

// One "start length type params\n" line per segment, keys masked (mask_key_material): the Table
// property.
std::string format_kernel_table(const std::vector<TargetLine>& table);

// One "start length type params\n" line per segment, exactly as the kernel gave them: the reply
// of GetStatus (dmsetup status prints the same).
std::string format_status_lines(const std::vector<TargetLine>& status);

// The usage in a snapshot's status parameters: "16/2097152 16" (allocated/total metadata,
// sectors), or "Invalid"/"Overflow" (invalid is set, counts are zero). Nothing for anything else
// (e.g. "Merge failed", or a status from another target).
std::optional<SnapshotUsage> parse_snapshot_usage(std::string_view params);

// Where the table ends: the map's size.
Sectors table_size(const std::vector<TargetLine>& table);

// The first word of `params`: the device a snapshot-origin or snapshot line names first.
std::string_view first_word(std::string_view params);

}  // namespace mapperd
