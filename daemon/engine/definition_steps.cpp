#include "definition_steps.h"

#include <algorithm>
#include <map>

#include "interfaces/loop_devices.h"
#include "kernel/kernel_table.h"
#include "model/error.h"
#include "table_checks.h"

namespace mapperd {
std::string table_text(const std::vector<TargetLine>& lines) {
  std::string text;
  for (const TargetLine& line : lines) {
    text += std::to_string(line.start.count()) + " " + std::to_string(line.length.count()) + " " +
            line.type + (line.params.empty() ? "" : " " + line.params) + "\n";
  }
  return text;
}

std::vector<DeviceUse> identify_devices(const Table& table, const EngineStorage& storage,
                                        bool allow_missing, const std::vector<MapListing>& maps) {
  std::vector<DeviceUse> uses;
  for (const DeviceRef& ref : referenced_devices(table)) {
    DeviceUse use;
    use.reference = ref.text();
    const auto map = std::find_if(maps.begin(), maps.end(), [&](const MapListing& listed) {
      return ref.is_number() && listed.device == ref.number();
    });
    const std::optional<DeviceNumber> number =
        map != maps.end() ? std::optional(map->device) : storage.block_devices->resolve(ref);
    if (map != maps.end()) {
      use.identity = DeviceIdentity{
          .number = map->device, .path = "/dev/mapper/" + map->name, .map_uuid = map->uuid};
    } else if (number) {
      use.identity = storage.directory->identify(*number);
    } else if (allow_missing && !ref.is_number()) {
      use.identity.path = ref.text();
      if (ref.text().starts_with("/dev/disk/"))
        use.identity.by_id = ref.text();
    } else {
      throw Error(ErrorKind::DeviceMissing,
                  "the table names " + ref.text() + ", which is not a block device here" +
                      (allow_missing && ref.is_number()
                           ? " (a device that is not there yet must be named by a path, "
                             "ideally /dev/disk/by-id/...)"
                           : ""));
    }
    uses.push_back(std::move(use));
  }
  return uses;
}

std::optional<MapDefinition> define_from_kernel(KernelBackend& kernel, const EngineStorage& storage,
                                                const std::string& name,
                                                std::uint32_t created_by_uid) {
  const std::optional<MapInfo> info = kernel.info(name);
  if (!info || !info->live_table)
    return std::nullopt;
  MapDefinition definition;
  definition.name = name;
  definition.uuid = info->uuid;
  definition.read_only = info->read_only;
  definition.created_by_uid = created_by_uid;
  definition.table = table_text(kernel.table(name));
  // The table came from the kernel, so each of its targets is one the kernel lists (a crypt
  // layer under a snapshot-origin included).
  definition.devices =
      identify_devices(parse_table(definition.table, table_context(kernel.targets())), storage,
                       false, kernel.list());
  return definition;
}

LocateDevice locator(KernelBackend& kernel, const EngineStorage& storage) {
  return [&kernel, &storage](const DeviceIdentity& identity) -> std::optional<DeviceNumber> {
    if (!identity.map_uuid.empty()) {
      for (const MapListing& map : kernel.list()) {
        if (map.uuid == identity.map_uuid)
          return map.device;
      }
      return std::nullopt;
    }
    if (identity.loop && storage.loops != nullptr) {
      if (const auto loop = storage.loops->find_bound(*identity.loop))
        return loop->number;
      return std::nullopt;
    }
    return storage.directory->locate(identity);
  };
}

std::string describe_device(const DeviceUse& use) {
  const DeviceIdentity& id = use.identity;
  std::string text = use.reference;
  if (id.loop)
    return text + " (file " + id.loop->file + ")";
  if (!id.map_uuid.empty())
    return text + " (map " + id.map_uuid + ")";
  if (!id.serial.empty())
    return text + " (serial " + id.serial + ")";
  if (!id.wwn.empty())
    return text + " (wwn " + id.wwn + ")";
  if (!id.partition_uuid.empty())
    return text + " (partition " + id.partition_uuid + ")";
  if (!id.by_id.empty() && id.by_id != text)
    return text + " (" + id.by_id + ")";
  return text;
}

ResolvedTable resolve_definition(const MapDefinition& definition, const TableContext& syntax,
                                 const LocateDevice& locate) {
  TableContext context = syntax;
  context.devices = nullptr;
  const Table table = parse_table(definition.table, context);
  ResolvedTable resolved;
  std::map<std::string, DeviceNumber> now;
  for (const DeviceRef& ref : referenced_devices(table)) {
    const DeviceUse* use = nullptr;
    for (const DeviceUse& candidate : definition.devices) {
      if (candidate.reference == ref.text())
        use = &candidate;
    }
    if (use == nullptr) {
      throw Error(ErrorKind::InvalidTable, "the stored table of '" + definition.name + "' names " +
                                               ref.text() +
                                               ", which its device list does not identify");
    }
    const std::optional<DeviceNumber> number = locate(use->identity);
    if (number)
      now[ref.text()] = *number;
    else
      resolved.missing.push_back(describe_device(*use));
  }
  if (!resolved.missing.empty())
    return resolved;
  resolved.lines = to_target_lines(with_devices_replaced(
      table, [&now](const DeviceRef& ref) { return DeviceRef::of(now.at(ref.text())); }));
  return resolved;
}

}  // namespace mapperd
