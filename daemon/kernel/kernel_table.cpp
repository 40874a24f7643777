#include "kernel/kernel_table.h"

#include <array>
#include <cerrno>
#include <string_view>

#include "model/error.h"
#include "model/table_parser.h"

namespace mapperd {
namespace {

// The kernel's names for the targets table.h has a type for; "snapshot-target" is only the
// tutorial's spelling and never comes back from the kernel.
constexpr std::array<std::string_view, 7> kTypedTargets = {
    "linear", "striped", "snapshot-origin", "snapshot", "snapshot-merge", "zero", "error"};

}  // namespace

std::vector<TargetLine> to_target_lines(const Table& table) {
  std::vector<TargetLine> lines;
  lines.reserve(table.segments.size());
  for (const Segment& segment : table.segments) {
    lines.push_back({segment.start, segment.length, target_type(segment.target),
                     format_target_args(segment.target)});
  }
  return lines;
}

std::string format_target_lines(const std::vector<TargetLine>& lines) {
  std::string text;
  for (const TargetLine& line : lines) {
    text += to_string(line.start) + " " + to_string(line.length) + " " + line.type + " " +
            line.params + "\n";
  }
  return text;
}

bool is_typed_target(const std::string& type) {
  for (std::string_view typed : kTypedTargets) {
    if (type == typed)
      return true;
  }
  return false;
}

Table from_target_lines(const std::vector<TargetLine>& lines,
                        const std::set<std::string>& passthrough_targets) {
  // Through the text parser rather than field by field, so that the kernel's lines are held to
  // exactly the rules a caller's table text is.
  TableContext context;
  context.passthrough_targets = passthrough_targets;
  return parse_table(format_target_lines(lines), context);
}

Table with_device_numbers(const Table& table, const BlockDevices& devices) {
  return with_devices_replaced(table, [&](const DeviceRef& ref) {
    const std::optional<DeviceNumber> number = devices.resolve(ref);
    if (!number) {
      throw Error(ErrorKind::DeviceMissing, "device " + ref.text() + " does not exist", ENODEV);
    }
    return DeviceRef::of(*number);
  });
}

}  // namespace mapperd
