#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "block_devices.h"
#include "table.h"

namespace mapperd {

// One thing wrong with a table: the 1-based line of the text (0 for the table as a whole), the
// field ("start", "length", "target", "chunk size", "device", ...) and why.
struct TableProblem {
  std::uint32_t line = 0;
  std::string field;
  std::string reason;
  // The problem is only that a device does not exist (yet): the table may become good later.
  bool missing_device = false;

  // "line 2: start: segment starts at 16000 but the previous one ends at 16384 (overlap)"
  std::string to_string() const;
  friend bool operator==(const TableProblem&, const TableProblem&) = default;
};

// What checking a table may consult beyond its text.
struct TableContext {
  // Targets the running kernel lists besides the typed ones; their lines are passed through.
  // Any other target name is refused, so no table can make the kernel load a module.
  std::set<std::string> passthrough_targets;
  // When set, every device must exist and every segment must stay inside the device it maps.
  const BlockDevices* devices = nullptr;
};

// Every problem in `text`, in line order; empty when the table is good. Blank lines and lines
// whose first non-blank character is '#' are skipped (they still count for line numbers).
std::vector<TableProblem> check_table(std::string_view text, const TableContext& context);

// The table `text` describes. Throws Error(InvalidTable) whose message lists every problem,
// one per line, as check_table() finds them; Error(DeviceMissing) with the same message when
// every problem is a device that does not exist.
Table parse_table(std::string_view text, const TableContext& context);

}  // namespace mapperd
