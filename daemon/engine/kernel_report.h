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

// `params` with key material replaced by '0's, as `dmsetup table` prints it without --showkeys:
// the key of a "crypt" line (a keyring reference ":size:type:desc" and "-" carry no key and are
// kept), and the keys in "integrity" options internal_hash/journal_crypt/journal_mac. Other
// targets' parameters are returned unchanged.
std::string mask_key_material(std::string_view type, std::string_view params);

// One "start length type params\n" line per segment, keys masked: the Table property.
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
