#include "reconcile.h"

#include <algorithm>
#include <utility>

#include "kernel_report.h"
#include "model/names.h"

namespace mapperd {
namespace {

bool is_snapshot_type(std::string_view type) {
  return type == "snapshot" || type == "snapshot-merge";
}

MapState state_of(const KernelMap& map, const std::optional<SnapshotUsage>& usage) {
  if (!map.info.live_table)
    return MapState::Pending;
  if (map.info.suspended)
    return MapState::Suspended;
  if (usage && usage->invalid)
    return MapState::Failed;
  // error fails all I/O; flakey fails or drops it in its down intervals (a device being tested,
  // or a fault injected under the map).
  const bool maps_to_failure =
      std::any_of(map.table.begin(), map.table.end(),
                  [](const TargetLine& l) { return l.type == "error" || l.type == "flakey"; });
  return maps_to_failure ? MapState::Degraded : MapState::Active;
}

MapRecord record_from(const KernelMap& map) {
  MapRecord record;
  record.name = map.info.name;
  record.uuid = map.info.uuid;
  record.device = map.info.device;
  record.size = table_size(map.table);
  record.table = format_kernel_table(map.table);
  record.read_only = map.info.read_only;
  // The kernel lists them newest-first; sorted, the property does not change when nothing did.
  record.dependencies = map.dependencies;
  std::sort(record.dependencies.begin(), record.dependencies.end());
  record.owned = owner_of(map.info.uuid) == MapOwner::Mapperd;
  record.open_count = map.info.open_count;
  for (const TargetLine& line : map.status) {
    if (is_snapshot_type(line.type))
      record.usage = parse_snapshot_usage(line.params);
  }
  record.state = state_of(map, record.usage);
  return record;
}

// The device a map's first line of `type` names first ("253:1"), if it has such a line.
std::optional<std::string> first_device_of(const KernelMap& map,
                                           bool (*is_type)(std::string_view)) {
  for (const TargetLine& line : map.table) {
    if (is_type(line.type))
      return std::string(first_word(line.params));
  }
  return std::nullopt;
}

// The layer under an origin made by CreateSnapshot (at `layer_device`), named as LVM names it,
// is tied to `origin`. Only ours: another tool's layer stays listed like any of its maps.
// Returns whether it was.
bool adopt_real_layer(const std::map<std::string, std::size_t>& index_by_device,
                      const std::string& layer_device, MapRecord& origin,
                      std::vector<MapRecord>& records) {
  const auto layer = index_by_device.find(layer_device);
  if (layer == index_by_device.end() || !records[layer->second].owned ||
      records[layer->second].name != origin.name + "-real")
    return false;
  records[layer->second].layer_of = origin.name;
  origin.real_layer = records[layer->second].name;
  return true;
}

void derive_relations(const std::vector<const KernelMap*>& maps, std::vector<MapRecord>& records) {
  std::map<std::string, std::size_t> index_by_device;
  for (std::size_t i = 0; i < maps.size(); ++i) {
    index_by_device[maps[i]->info.device.to_string()] = i;
  }
  auto is_origin_type = [](std::string_view type) { return type == "snapshot-origin"; };
  for (std::size_t o = 0; o < maps.size(); ++o) {
    const auto origin_device = first_device_of(*maps[o], is_origin_type);
    if (!origin_device)
      continue;
    for (std::size_t s = 0; s < maps.size(); ++s) {
      if (s == o || first_device_of(*maps[s], is_snapshot_type) != origin_device)
        continue;
      records[s].origin = records[o].name;
      records[o].snapshots.push_back(records[s].name);
    }
    std::sort(records[o].snapshots.begin(), records[o].snapshots.end());
    adopt_real_layer(index_by_device, *origin_device, records[o], records);
  }
  // An origin whose snapshot is merging into it: "snapshot-merge <layer> <COW> ..." over its own
  // hidden layer, until the merge folds the layer back.
  auto is_merge_type = [](std::string_view type) { return type == "snapshot-merge"; };
  for (std::size_t o = 0; o < maps.size(); ++o) {
    const auto layer_device = first_device_of(*maps[o], is_merge_type);
    if (!layer_device)
      continue;
    records[o].merging = adopt_real_layer(index_by_device, *layer_device, records[o], records);
  }
}

// A stored map that is not in the kernel has no device (0:0); it is the same map as the kernel's
// one of its name and UUID, so pending -> active is a change, not a removal and an addition.
bool same_map(const MapRecord& a, const MapRecord& b) {
  if (a.uuid != b.uuid)
    return false;
  const bool either_not_made = a.device == DeviceNumber{} || b.device == DeviceNumber{};
  return a.device == b.device || (either_not_made && a.name == b.name);
}

bool by_name(const CatalogChange& a, const CatalogChange& b) {
  return a.record.name < b.record.name;
}

// The records of `sorted` (by name), relations derived among them.
std::vector<MapRecord> records_from_sorted(const std::vector<const KernelMap*>& sorted) {
  std::vector<MapRecord> records;
  records.reserve(sorted.size());
  for (const KernelMap* map : sorted)
    records.push_back(record_from(*map));
  derive_relations(sorted, records);
  return records;
}

}  // namespace

std::vector<MapRecord> records_from_kernel(const std::vector<KernelMap>& maps) {
  std::vector<const KernelMap*> sorted;
  sorted.reserve(maps.size());
  for (const KernelMap& map : maps)
    sorted.push_back(&map);
  std::sort(sorted.begin(), sorted.end(),
            [](const KernelMap* a, const KernelMap* b) { return a->info.name < b->info.name; });
  return records_from_sorted(sorted);
}

std::vector<MapRecord> records_from_kernel_by_name(const std::map<std::string, KernelMap>& maps) {
  std::vector<const KernelMap*> sorted;
  sorted.reserve(maps.size());
  for (const auto& [name, map] : maps)
    sorted.push_back(&map);
  return records_from_sorted(sorted);
}

void mark_degraded_by_dependencies(std::vector<MapRecord>& records) {
  std::map<DeviceNumber, const MapRecord*> by_device;
  for (const MapRecord& record : records)
    by_device[record.device] = &record;
  auto failing = [](const MapRecord& record) {
    return record.state == MapState::Degraded || record.state == MapState::Failed;
  };
  // One step up the stack per round; a round that changes nothing ends it (stacks are shallow,
  // and a cycle cannot keep changing: states only go from active to degraded).
  for (bool changed = true; changed;) {
    changed = false;
    for (MapRecord& record : records) {
      if (record.state != MapState::Active)
        continue;
      const bool over_failing = std::any_of(
          record.dependencies.begin(), record.dependencies.end(), [&](const DeviceNumber& device) {
            const auto lower = by_device.find(device);
            return lower != by_device.end() && failing(*lower->second);
          });
      if (over_failing) {
        record.state = MapState::Degraded;
        changed = true;
      }
    }
  }
}

std::vector<CatalogChange> plan_reconciliation(const std::map<std::string, MapRecord>& known,
                                               std::vector<MapRecord> observed,
                                               const std::map<std::string, MapMetadata>& metadata) {
  std::vector<CatalogChange> removed, renamed, added, changed;
  std::map<std::string, bool> known_still_present;
  for (const auto& [name, record] : known)
    known_still_present[name] = false;

  for (MapRecord& now : observed) {
    // The same map under its name, else under another name (a rename).
    const MapRecord* before = nullptr;
    if (auto it = known.find(now.name); it != known.end() && same_map(it->second, now)) {
      before = &it->second;
    } else {
      for (const auto& [name, record] : known) {
        if (same_map(record, now) && name != now.name)
          before = &record;
      }
    }
    const auto metadata_it = metadata.find(now.name);
    if (metadata_it != metadata.end()) {
      now.persistent = metadata_it->second.persistent;
      now.created_by_uid = metadata_it->second.created_by_uid;
      now.merge_pending = metadata_it->second.merge_pending;
      now.snapshot_policy = metadata_it->second.snapshot_policy;
    }
    if (before != nullptr) {
      known_still_present[before->name] = true;
      if (metadata_it == metadata.end()) {
        now.persistent = before->persistent;
        now.created_by_uid = before->created_by_uid;
        now.merge_pending = before->merge_pending;
        now.snapshot_policy = before->snapshot_policy;
      }
      CatalogChange change;
      change.record = now;
      if (before->name != now.name) {
        change.kind = CatalogChange::Kind::Renamed;
        change.previous_name = before->name;
        renamed.push_back(std::move(change));
      } else if (now != *before) {
        change.kind = CatalogChange::Kind::Changed;
        change.fields = changed_fields(*before, now);
        changed.push_back(std::move(change));
      }
      continue;
    }
    CatalogChange change;
    change.kind = CatalogChange::Kind::Added;
    change.record = now;
    added.push_back(std::move(change));
  }
  for (const auto& [name, present] : known_still_present) {
    if (present)
      continue;
    CatalogChange change;
    change.kind = CatalogChange::Kind::Removed;
    change.record = known.at(name);
    removed.push_back(std::move(change));
  }

  std::vector<CatalogChange> plan;
  for (auto* group : {&removed, &renamed, &added, &changed}) {
    std::sort(group->begin(), group->end(), by_name);
    std::move(group->begin(), group->end(), std::back_inserter(plan));
  }
  return plan;
}

}  // namespace mapperd
