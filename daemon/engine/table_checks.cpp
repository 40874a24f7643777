#include "table_checks.h"

#include "kernel/kernel_table.h"
#include "model/error.h"

namespace mapperd {

TableContext table_context(const std::vector<TargetVersion>& targets, const BlockDevices* devices) {
  TableContext context;
  for (const TargetVersion& target : targets) {
    // The model parses its typed targets itself; any other the kernel lists is passed through.
    if (!is_typed_target(target.name))
      context.passthrough_targets.insert(target.name);
  }
  context.devices = devices;
  return context;
}

std::vector<TargetLine> checked_table(const std::string& operation, std::string_view text,
                                      const std::vector<TargetVersion>& targets,
                                      const BlockDevices* devices) {
  const Table table = parse_table(text, table_context(targets));
  if (devices == nullptr)
    return to_target_lines(table);
  // A device that is not there is its own error (the caller may plug it in and retry), told
  // apart from a table that is wrong in itself.
  for (const DeviceRef& device : referenced_devices(table)) {
    if (!devices->resolve(device)) {
      throw Error(ErrorKind::DeviceMissing, operation + ": the table names " + device.text() +
                                                ", which is not a block device here");
    }
  }
  const std::vector<TableProblem> problems = check_table(text, table_context(targets, devices));
  if (!problems.empty()) {
    std::string message = operation + ": the table does not fit its devices:";
    for (const TableProblem& problem : problems)
      message += "\n" + problem.to_string();
    throw Error(ErrorKind::InvalidTable, message);
  }
  return to_target_lines(table);
}

}  // namespace mapperd
