#pragma once
// Putting a running map back on its devices when they come back. A device that vanishes under a
// map (a disk pulled, a virtio disk removed) leaves the map degraded: its table still holds the
// gone device, and its I/O there fails for good, even once the device is back, because the
// kernel keeps the dead one open. A stored map knows its devices by identity (serial, WWN,
// backing file), so once every one of them is there again, under any number, the map is
// reloaded onto them. Runs on the kernel thread, inside a restore pass.

#include <set>
#include <string>
#include <vector>

#include "engine_storage.h"
#include "kernel/kernel_backend.h"
#include "model/table_parser.h"
#include "restore.h"
#include "store/map_definition.h"

namespace mapperd {

// A running stored map of ours that lost devices: its definition, and the device numbers its
// table holds that vanished.
struct LostDevices {
  MapDefinition definition;
  std::set<DeviceNumber> lost;
};

// `table` with every segment that names one of `lost` mapped to error instead: what the map
// carries between letting go of the dead devices and taking the new ones. The kernel shares an
// open device by number among a map's tables, so a table naming the same number again would get
// the dead device back; segments on devices that stayed keep working throughout.
std::vector<TargetLine> without_lost_devices(const std::vector<TargetLine>& table,
                                             const std::set<DeviceNumber>& lost);

// For each map whose stored devices are all there again: reloads it onto them, through the
// table without_lost_devices() makes when it differs, and notes it in `report.repaired`. A map
// still missing a device is left as it is (it waits for the next device to appear); a failure
// is noted in `report.not_repaired`, and the map keeps the table it had. Each repair is an
// operation intent ("repair"), so a crash between its two reloads is finished at the next start.
void put_back_on_devices(KernelBackend& kernel, const EngineStorage& storage,
                         const std::vector<LostDevices>& maps, const TableContext& syntax,
                         RestoreReport& report);

}  // namespace mapperd
