#pragma once
// Turning maps into definitions and back, on the kernel thread: which devices a table uses and
// how to find them again; a stored table rewritten onto the devices' numbers of today.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_storage.h"
#include "kernel/kernel_backend.h"
#include "model/table_parser.h"
#include "store/map_definition.h"

namespace mapperd {

// Every device `table` names, identified for storage. A device that is not there is Error
// DeviceMissing, unless `allow_missing`: it is then stored by its path (a /dev/disk/by-* link is
// found again by that link). A device-mapper device among `maps` (the kernel's listing) is
// identified by its map's UUID straight from the kernel, whether or not udev has seen it yet.
std::vector<DeviceUse> identify_devices(const Table& table, const EngineStorage& storage,
                                        bool allow_missing,
                                        const std::vector<MapListing>& maps = {});

// The syntax of tables on this kernel: the typed targets, and every other target it lists
// (`targets`) passed through. No device checks.
TableContext syntax_for(const std::vector<TargetVersion>& targets);

// "start length type params\n" per line, unmasked: what a definition stores and what restore
// compares.
std::string table_text(const std::vector<TargetLine>& lines);

// The definition of the kernel's map `name` as it runs now: its live table (device numbers) with
// every device identified. Nothing when the map does not exist.
std::optional<MapDefinition> define_from_kernel(KernelBackend& kernel, const EngineStorage& storage,
                                                const std::string& name,
                                                std::uint32_t created_by_uid);

// Finds a stored device now: a device-mapper device by its map's UUID (in the kernel), a loop by
// its backing file, anything else through the device directory.
using LocateDevice = std::function<std::optional<DeviceNumber>(const DeviceIdentity&)>;
LocateDevice locator(KernelBackend& kernel, const EngineStorage& storage);

// "/dev/loop1 (file /srv/a.img)", "/dev/sdb (serial QM0001)": a stored device as a person
// recognises it.
std::string describe_device(const DeviceUse& use);

struct ResolvedTable {
  // The table on today's device numbers; only when nothing is missing.
  std::vector<TargetLine> lines;
  // describe_device() of each device not found.
  std::vector<std::string> missing;
};

// The stored table rewritten onto the devices as they are now. Throws InvalidTable when the
// stored text no longer parses (a target the kernel stopped listing).
ResolvedTable resolve_definition(const MapDefinition& definition, const TableContext& syntax,
                                 const LocateDevice& locate);

}  // namespace mapperd
