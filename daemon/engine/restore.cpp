#include "restore.h"

#include <algorithm>
#include <map>
#include <set>

#include "definition_steps.h"
#include "interfaces/cow_files.h"
#include "interfaces/loop_devices.h"
#include "kernel/kernel_table.h"
#include "model/boot_lifetime.h"
#include "model/error.h"
#include "model/key_masking.h"

namespace mapperd {
namespace {

// The target types a stored table uses (the third word of each line).
std::set<std::string> target_types(const std::string& table) {
  std::set<std::string> types;
  std::size_t start = 0;
  while (start < table.size()) {
    const std::size_t end = std::min(table.find('\n', start), table.size());
    const std::string line = table.substr(start, end - start);
    std::size_t word = 0, position = 0;
    while (position < line.size()) {
      const std::size_t begin = line.find_first_not_of(" \t", position);
      if (begin == std::string::npos)
        break;
      position = std::min(line.find_first_of(" \t", begin), line.size());
      if (++word == 3) {
        types.insert(line.substr(begin, position - begin));
        break;
      }
    }
    start = end + 1;
  }
  return types;
}

// The snapshots among `definitions` of each origin among them, by the origin's name: a snapshot
// names the layer its origin's snapshot-origin line sits on.
std::map<std::string, std::vector<const MapDefinition*>> snapshots_by_origin(
    const std::vector<MapDefinition>& definitions) {
  std::map<std::string, std::string> origin_by_layer;
  for (const MapDefinition& definition : definitions) {
    if (!target_types(definition.table).contains("snapshot-origin"))
      continue;
    for (const DeviceUse& use : definition.devices) {
      if (!use.identity.map_uuid.empty())
        origin_by_layer[use.identity.map_uuid] = definition.name;
    }
  }
  std::map<std::string, std::vector<const MapDefinition*>> snapshots;
  for (const MapDefinition& definition : definitions) {
    if (!target_types(definition.table).contains("snapshot"))
      continue;
    for (const DeviceUse& use : definition.devices) {
      if (const auto origin = origin_by_layer.find(use.identity.map_uuid);
          !use.identity.map_uuid.empty() && origin != origin_by_layer.end()) {
        snapshots[origin->second].push_back(&definition);
        break;
      }
    }
  }
  return snapshots;
}

}  // namespace

std::vector<MapDefinition> restore_order(std::vector<MapDefinition> definitions) {
  std::sort(definitions.begin(), definitions.end(),
            [](const MapDefinition& a, const MapDefinition& b) { return a.name < b.name; });
  const std::size_t count = definitions.size();
  std::map<std::string, std::size_t> by_uuid;
  // Origins (a snapshot-origin table) by the UUID of the layer they sit on.
  std::multimap<std::string, std::size_t> origins_by_layer;
  std::vector<std::set<std::string>> types(count);
  for (std::size_t i = 0; i < count; ++i) {
    by_uuid[definitions[i].uuid] = i;
    types[i] = target_types(definitions[i].table);
    if (types[i].contains("snapshot-origin")) {
      for (const DeviceUse& use : definitions[i].devices) {
        if (!use.identity.map_uuid.empty())
          origins_by_layer.emplace(use.identity.map_uuid, i);
      }
    }
  }
  // Edges "j before i": i uses map j; i is a snapshot over the layer origin j sits on.
  std::vector<std::vector<std::size_t>> dependents(count);
  std::vector<std::size_t> waiting_for(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const bool snapshot = types[i].contains("snapshot") || types[i].contains("snapshot-merge");
    std::set<std::size_t> before;
    for (const DeviceUse& use : definitions[i].devices) {
      const std::string& uuid = use.identity.map_uuid;
      if (uuid.empty())
        continue;
      if (const auto used = by_uuid.find(uuid); used != by_uuid.end() && used->second != i)
        before.insert(used->second);
      if (snapshot) {
        const auto [first, last] = origins_by_layer.equal_range(uuid);
        for (auto origin = first; origin != last; ++origin) {
          if (origin->second != i)
            before.insert(origin->second);
        }
      }
    }
    for (const std::size_t j : before)
      dependents[j].push_back(i);
    waiting_for[i] = before.size();
  }
  // Kahn's algorithm, the ready ones by name; a cycle's members are taken by name at the end
  // (their creates fail and say why).
  std::set<std::size_t> ready;
  for (std::size_t i = 0; i < count; ++i) {
    if (waiting_for[i] == 0)
      ready.insert(i);
  }
  std::vector<bool> placed(count, false);
  std::vector<MapDefinition> ordered;
  ordered.reserve(count);
  while (ordered.size() < count) {
    std::size_t next = 0;
    if (!ready.empty()) {
      next = *ready.begin();
      ready.erase(ready.begin());
    } else {
      while (placed[next])
        ++next;
    }
    placed[next] = true;
    ordered.push_back(definitions[next]);
    for (const std::size_t dependent : dependents[next]) {
      if (!placed[dependent] && waiting_for[dependent] > 0 && --waiting_for[dependent] == 0)
        ready.insert(dependent);
    }
  }
  return ordered;
}

void restore_loops(const EngineStorage& storage, const std::vector<LoopDefinition>& loops,
                   RestoreReport& report) {
  if (storage.loops == nullptr)
    return;
  for (const LoopDefinition& definition : loops) {
    try {
      const Reattachment loop = storage.loops->reattach(definition.backing);
      report.loops.push_back(
          LoopRecord{.index = loop.device.index,
                     .device = loop.device.number,
                     .backing = loop.device.backing,
                     .persistent = true,
                     .warnings = loop_boot_warnings(loop.device.backing.file, true)});
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::NotFound)
        report.waiting_loops.push_back({definition.backing.file, {e.what()}});
      else
        report.failed_loops.push_back({definition.backing.file, e.what()});
    }
  }
}

void sweep_cow_files(KernelBackend& kernel, const EngineStorage& storage,
                     const std::vector<MapDefinition>& definitions, RestoreReport& report) {
  CowFiles* files = storage.cow_files;
  if (files == nullptr || storage.loops == nullptr)
    return;
  std::set<std::string> keep;
  for (const MapDefinition& definition : definitions)
    keep.insert(files->path_for(definition.uuid));
  for (const MapListing& map : kernel.list())
    keep.insert(files->path_for(map.uuid));
  for (const LoopDevice& loop : storage.loops->list())
    keep.insert(loop.backing.file);
  for (const std::string& path : files->list()) {
    if (keep.contains(path))
      continue;
    try {
      files->remove(path);
      report.swept_cow_files.push_back(path);
    } catch (const std::exception& e) {
      report.failed.push_back({path, e.what()});
    }
  }
}

void restore_maps(KernelBackend& kernel, const EngineStorage& storage,
                  const std::vector<MapDefinition>& definitions, const TableContext& syntax,
                  RestoreReport& report) {
  const LocateDevice locate = locator(kernel, storage);
  // One udev wait for the whole pass, however many maps it makes.
  kernel.begin_udev_batch();
  struct EndBatch {
    KernelBackend& kernel;
    RestoreReport& report;
    ~EndBatch() {
      try {
        kernel.end_udev_batch();
      } catch (const std::exception& e) {
        report.failed.push_back({"(udev)", std::string("udev did not finish: ") + e.what()});
      }
    }
  } end_batch{kernel, report};
  // Read once; each create adds its map, so later maps in the batch see it.
  std::vector<MapListing> listing = kernel.list();
  const auto snapshots_of = snapshots_by_origin(definitions);
  for (const MapDefinition& definition : restore_order(definitions)) {
    try {
      const MapListing* same_name = nullptr;
      const MapListing* same_uuid = nullptr;
      for (const MapListing& map : listing) {
        if (map.uuid == definition.uuid)
          same_uuid = &map;
        if (map.name == definition.name)
          same_name = &map;
      }
      if (same_uuid != nullptr) {
        report.adopted.push_back(definition.name);
        if (same_uuid->name != definition.name) {
          report.differences.push_back("map '" + definition.name + "' runs as '" + same_uuid->name +
                                       "' (same UUID)");
          continue;
        }
        const ResolvedTable resolved = resolve_definition(definition, syntax, locate);
        const std::string running = table_text(kernel.table(definition.name));
        if (resolved.missing.empty() && table_text(resolved.lines) != running) {
          // The report goes to the journal: keys masked, as in every table mapperd shows.
          report.differences.push_back("map '" + definition.name +
                                       "': the kernel's table differs from the stored one; "
                                       "running:\n" +
                                       mask_table_keys(running) + "stored (on today's devices):\n" +
                                       mask_table_keys(table_text(resolved.lines)));
        }
        continue;
      }
      if (same_name != nullptr) {
        report.failed.push_back(
            {definition.name, "another map of that name runs (UUID '" + same_name->uuid +
                                  "'); rename or remove it, or rename this definition's map"});
        continue;
      }
      const ResolvedTable resolved = resolve_definition(definition, syntax, locate);
      std::vector<std::string> missing = resolved.missing;
      // An origin waits for its snapshots' COW devices too: a write to it before they are there
      // would not be copied to them, and the snapshots would show data they never had.
      if (const auto snapshots = snapshots_of.find(definition.name);
          snapshots != snapshots_of.end()) {
        for (const MapDefinition* snapshot : snapshots->second) {
          for (const std::string& device : resolve_definition(*snapshot, syntax, locate).missing)
            missing.push_back(device + " (the COW of its snapshot " + snapshot->name + ")");
        }
      }
      if (!missing.empty()) {
        report.pending.push_back({definition.name, missing});
        continue;
      }
      const MapInfo made = kernel.create(CreateRequest{.name = definition.name,
                                                       .uuid = definition.uuid,
                                                       .table = resolved.lines,
                                                       .read_only = definition.read_only});
      listing.push_back(MapListing{.name = made.name, .uuid = made.uuid, .device = made.device});
      report.created.push_back(definition.name);
    } catch (const std::exception& e) {
      report.failed.push_back({definition.name, e.what()});
    }
  }
}

}  // namespace mapperd
