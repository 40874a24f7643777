#include "device_return.h"

#include <sstream>

#include "definition_steps.h"
#include "recovery.h"
#include "store_writer.h"

namespace mapperd {
namespace {

bool names_any_of(const TargetLine& line, const std::set<DeviceNumber>& devices) {
  std::istringstream words(line.params);
  std::string word;
  while (words >> word) {
    for (const DeviceNumber& device : devices) {
      if (word == device.to_string())
        return true;
    }
  }
  return false;
}

}  // namespace

std::vector<TargetLine> without_lost_devices(const std::vector<TargetLine>& table,
                                             const std::set<DeviceNumber>& lost) {
  std::vector<TargetLine> result;
  result.reserve(table.size());
  for (const TargetLine& line : table) {
    if (names_any_of(line, lost))
      result.push_back(
          TargetLine{.start = line.start, .length = line.length, .type = "error", .params = ""});
    else
      result.push_back(line);
  }
  return result;
}

void put_back_on_devices(KernelBackend& kernel, const EngineStorage& storage,
                         const std::vector<LostDevices>& maps, const TableContext& syntax,
                         RestoreReport& report) {
  const LocateDevice locate = locator(kernel, storage);
  for (const LostDevices& map : maps) {
    const std::string& name = map.definition.name;
    try {
      const ResolvedTable resolved = resolve_definition(map.definition, syntax, locate);
      if (!resolved.missing.empty())
        continue;
      const std::vector<TargetLine> running = kernel.table(name);
      const std::vector<TargetLine> interim = without_lost_devices(running, map.lost);
      IntentScope scope(storage, OperationIntent{.id = "",
                                                 .kind = std::string(kRepairIntent),
                                                 .maps = {name},
                                                 .to_save = {map.definition},
                                                 .to_remove = {}});
      if (interim != running)
        kernel.reload(name, interim);
      kernel.reload(name, resolved.lines);
      report.repaired.push_back(name);
    } catch (const std::exception& e) {
      report.not_repaired.push_back({name, e.what()});
    }
  }
}

}  // namespace mapperd
