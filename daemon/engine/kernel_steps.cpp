#include "kernel_steps.h"

#include "kernel_report.h"
#include "model/error.h"
#include "model/names.h"
#include "undo_stack.h"

namespace mapperd {
namespace {

bool has_snapshot_line(const std::vector<TargetLine>& table) {
  for (const TargetLine& line : table) {
    if (line.type == "snapshot" || line.type == "snapshot-merge")
      return true;
  }
  return false;
}

TargetLine single_line(Sectors size, const Target& target) {
  return TargetLine{Sectors(0), size, target_type(target), format_target_args(target)};
}

DeviceNumber device_of(KernelBackend& kernel, const std::string& name) {
  const auto info = kernel.info(name);
  if (!info)
    throw Error(ErrorKind::NotFound, "map '" + name + "' disappeared from the kernel");
  return info->device;
}

// The map called `name`, or nothing when it is not there (any more).
std::optional<KernelMap> read_map(KernelBackend& kernel, const std::string& name) {
  // Another tool may remove a map between our calls: what is gone is simply not there.
  try {
    auto info = kernel.info(name);
    if (!info)
      return std::nullopt;
    KernelMap map;
    map.info = std::move(*info);
    if (map.info.live_table) {
      map.table = kernel.table(name);
      map.dependencies = kernel.dependencies(name);
      if (has_snapshot_line(map.table))
        map.status = kernel.status(name);
    }
    return map;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::NotFound)
      throw;
    return std::nullopt;
  }
}

}  // namespace

std::vector<KernelMap> read_all_maps(KernelBackend& kernel) {
  std::vector<KernelMap> maps;
  for (const MapListing& listing : kernel.list()) {
    if (std::optional<KernelMap> map = read_map(kernel, listing.name))
      maps.push_back(std::move(*map));
  }
  return maps;
}

std::vector<KernelMap> read_named_maps(KernelBackend& kernel, const std::set<std::string>& names) {
  std::vector<KernelMap> maps;
  for (const std::string& name : names) {
    if (std::optional<KernelMap> map = read_map(kernel, name))
      maps.push_back(std::move(*map));
  }
  return maps;
}

KernelReading read_everything(KernelBackend& kernel) {
  return KernelReading{.complete = true, .names = {}, .maps = read_all_maps(kernel)};
}

KernelReading read_names(KernelBackend& kernel, std::set<std::string> names) {
  std::vector<KernelMap> maps = read_named_maps(kernel, names);
  return KernelReading{.complete = false, .names = std::move(names), .maps = std::move(maps)};
}

void create_snapshot_layers(KernelBackend& kernel, const SnapshotSteps& steps,
                            const ZeroDeviceStart& zero_device_start) {
  // A persistent COW whose first chunk still holds an old header would be read as an existing
  // snapshot store; zeroing first (before anything is suspended) makes it a new one.
  zero_device_start(steps.cow, steps.chunk_size);

  run_undoable([&](UndoStack& undo) {
    const std::vector<TargetLine> origin_table = kernel.table(steps.origin);
    const Sectors size = table_size(origin_table);

    DeviceNumber layer_device;
    if (steps.real_layer_exists) {
      layer_device = device_of(kernel, steps.real_layer);
    } else {
      const auto origin_info = kernel.info(steps.origin);
      CreateRequest layer;
      layer.name = steps.real_layer;
      layer.uuid = steps.real_layer_uuid;
      layer.table = origin_table;
      layer.read_only = origin_info && origin_info->read_only;
      layer_device = kernel.create(layer).device;
      undo.push("remove " + steps.real_layer, [&] { kernel.remove(steps.real_layer); });
    }

    kernel.suspend(steps.origin);
    undo.push("resume " + steps.origin, [&] { kernel.resume(steps.origin); });

    if (!steps.real_layer_exists) {
      kernel.load(steps.origin,
                  {single_line(size, SnapshotOriginTarget{DeviceRef::of(layer_device)})});
      undo.push("drop the inactive table of " + steps.origin,
                [&] { kernel.clear_inactive(steps.origin); });
    }

    const SnapshotTarget target{.merge = false,
                                .origin = DeviceRef::of(layer_device),
                                .cow = steps.cow,
                                .store = steps.store,
                                .chunk_size = steps.chunk_size};
    CreateRequest snapshot;
    snapshot.name = steps.snapshot;
    snapshot.uuid = steps.snapshot_uuid;
    snapshot.table = {single_line(size, target)};
    kernel.create(snapshot);
    undo.push("remove " + steps.snapshot, [&] { kernel.remove(steps.snapshot); });

    kernel.resume(steps.origin);
  });
}

namespace {

// The removal was planned by name on the daemon's thread; by now another tool may have taken the
// name: fold a layer back only into mapperd's map that is still "snapshot-origin <layer>".
void require_origin_of(KernelBackend& kernel, const std::string& origin, const std::string& layer) {
  const std::string operation = "fold " + layer + " back into";
  const std::optional<MapInfo> origin_info = kernel.info(origin);
  const std::optional<MapInfo> layer_info = kernel.info(layer);
  if (!origin_info || !layer_info) {
    throw Error(ErrorKind::NotFound,
                operation + " " + origin + ": " + (origin_info ? layer : origin) + " is gone");
  }
  if (owner_of(origin_info->uuid) != MapOwner::Mapperd) {
    throw Error(ErrorKind::NotOwned, operation + " " + origin +
                                         ": the map is not mapperd's; mapperd changes only the "
                                         "maps it made");
  }
  const std::vector<TargetLine> table = kernel.table(origin);
  if (table.size() != 1 || table[0].type != "snapshot-origin" ||
      first_word(table[0].params) != layer_info->device.to_string()) {
    throw Error(ErrorKind::Failed,
                operation + " " + origin + ": " + origin + " is not the snapshot-origin of " +
                    layer + " any more, so it is left as it is (and " + layer + " with it)");
  }
}

}  // namespace

void remove_with_layers(KernelBackend& kernel, const RemovalSteps& steps) {
  kernel.remove(steps.name, steps.options);
  try {
    if (steps.fold_origin && steps.fold_layer) {
      require_origin_of(kernel, *steps.fold_origin, *steps.fold_layer);
      kernel.reload(*steps.fold_origin, kernel.table(*steps.fold_layer));
      kernel.remove(*steps.fold_layer);
    }
    if (steps.layer_to_remove)
      kernel.remove(*steps.layer_to_remove);
  } catch (const Error& e) {
    throw Error(
        e.kind(),
        "removed " + steps.name + ", but putting its snapshot layer away failed: " + e.what(),
        e.error_number());
  }
}

void rename_with_layer(KernelBackend& kernel, const std::string& name, const std::string& new_name,
                       const std::optional<std::string>& layer) {
  run_undoable([&](UndoStack& undo) {
    kernel.rename(name, new_name);
    undo.push("rename " + new_name + " back to " + name, [&] { kernel.rename(new_name, name); });
    if (layer)
      kernel.rename(*layer, snapshot_layer_name(new_name));
  });
}

}  // namespace mapperd
