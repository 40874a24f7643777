// The catalog update and its announcements: what a job's kernel reading and store changes mean
// for the catalog, and what the observer hears of it.

#include <algorithm>
#include <set>
#include <string_view>

#include "engine.h"
#include "model/error.h"
#include "table_checks.h"

namespace mapperd {

void Engine::apply(const StoreDelta& delta) {
  for (const std::string& name : delta.removed) {
    definitions_.erase(name);
    missing_.erase(name);
    failed_.erase(name);
  }
  for (const MapDefinition& definition : delta.saved)
    definitions_[definition.name] = definition;
  for (const LoopBacking& backing : delta.loops_removed) {
    std::erase_if(loop_definitions_,
                  [&](const LoopDefinition& loop) { return loop.backing == backing; });
  }
  for (const LoopDefinition& loop : delta.loops_saved) {
    std::erase_if(loop_definitions_,
                  [&](const LoopDefinition& known) { return known.backing == loop.backing; });
    loop_definitions_.push_back(loop);
  }
  for (const std::string& uuid : delta.facts_removed)
    facts_.erase(uuid);
  for (const RuntimeMapFacts& facts : delta.facts_saved)
    facts_[facts.uuid] = facts;
}

void Engine::take_in(const KernelReading& reading) {
  if (reading.complete) {
    kernel_maps_.clear();
  } else {
    for (const std::string& name : reading.names)
      kernel_maps_.erase(name);
  }
  for (const KernelMap& map : reading.maps)
    kernel_maps_.insert_or_assign(map.info.name, map);
}

void Engine::apply(const KernelReading& reading, bool recheck_all_devices) {
  take_in(reading);
  // The kernel was asked only about the maps in `reading`; every other one is as last read,
  // which is what the catalog shows already. The records are rebuilt from the whole picture
  // anyway (no kernel call): snapshot relations span maps.
  std::vector<MapRecord> observed = records_from_kernel_by_name(kernel_maps_);
  mark_missing_devices(observed, [&](const std::string& name) {
    return recheck_all_devices || reading.complete || reading.names.contains(name);
  });
  mark_degraded_by_dependencies(observed);
  for (MapRecord& stored : stored_records_missing_from(observed))
    observed.push_back(std::move(stored));
  const std::vector<CatalogChange> plan =
      plan_reconciliation(catalog_.all(), std::move(observed), metadata_for(kernel_maps_));
  for (const CatalogChange& change : plan) {
    const std::string& old_name =
        change.kind == CatalogChange::Kind::Renamed ? change.previous_name : change.record.name;
    std::optional<MapRecord> before;
    if (const MapRecord* known = catalog_.find(old_name))
      before = *known;
    catalog_.apply(change);
    if (change.kind == CatalogChange::Kind::Added)
      metadata_for_new_.erase(change.record.name);
    announce(change, before);
  }
  follow_lost_devices();
  watch_fill_while_snapshots_exist();
  release_unused_cow_files();
}

void Engine::follow_lost_devices() {
  std::erase_if(lost_devices_, [this](const auto& entry) {
    const MapRecord* record = catalog_.find(entry.first);
    return record == nullptr || record->uuid != entry.second.uuid;
  });
  for (const auto& [name, record] : catalog_.all()) {
    if (!record.owned || record.device == DeviceNumber{} || record.missing_devices.empty())
      continue;
    Lost& lost = lost_devices_[name];
    lost.uuid = record.uuid;
    for (const DeviceNumber& device : record.dependencies) {
      if (std::find(record.missing_devices.begin(), record.missing_devices.end(),
                    device.to_string()) != record.missing_devices.end())
        lost.devices.insert(device);
    }
  }
}

std::vector<LostDevices> Engine::maps_to_put_back() const {
  std::vector<LostDevices> maps;
  for (const auto& [name, lost] : lost_devices_) {
    const MapRecord* record = catalog_.find(name);
    const auto definition = definitions_.find(name);
    if (record == nullptr || definition == definitions_.end() ||
        definition->second.uuid != lost.uuid || record->real_layer || record->layer_of ||
        record->origin || !record->snapshots.empty() || jobs_.running_on(name) != nullptr)
      continue;
    maps.push_back(LostDevices{definition->second, lost.devices});
  }
  return maps;
}

std::map<std::string, MapMetadata> Engine::metadata_for(
    const std::map<std::string, KernelMap>& maps) const {
  std::map<std::string, MapMetadata> metadata = metadata_for_new_;
  auto add = [&](const std::string& name, const std::string& uuid) {
    if (const auto stored = definitions_.find(name);
        stored != definitions_.end() && stored->second.uuid == uuid) {
      metadata[name] = MapMetadata{true, stored->second.created_by_uid,
                                   stored->second.merge_pending, stored->second.snapshot_policy};
    } else if (const auto facts = facts_.find(uuid); facts != facts_.end()) {
      metadata[name] =
          MapMetadata{false, facts->second.created_by_uid, false, facts->second.snapshot_policy};
    }
  };
  for (const auto& [name, map] : maps)
    add(name, map.info.uuid);
  for (const auto& [name, definition] : definitions_)
    add(name, definition.uuid);
  return metadata;
}

void Engine::mark_missing_devices(std::vector<MapRecord>& observed,
                                  const std::function<bool(const std::string&)>& look_again) const {
  if (block_devices_ == nullptr)
    return;
  for (MapRecord& record : observed) {
    if (!record.owned || record.state == MapState::Pending)
      continue;
    if (look_again(record.name)) {
      // A device that vanished under the map stays missing when its number is back: the table
      // still holds the dead one until the map is reloaded (device_return.h).
      const auto lost = lost_devices_.find(record.name);
      const bool lost_here = lost != lost_devices_.end() && lost->second.uuid == record.uuid;
      for (const DeviceNumber& device : record.dependencies) {
        if (!block_devices_->resolve(DeviceRef::of(device)) ||
            (lost_here && lost->second.devices.contains(device)))
          record.missing_devices.push_back(device.to_string());
      }
    } else if (const MapRecord* known = catalog_.find(record.name);
               known != nullptr && known->uuid == record.uuid) {
      // Looked at when the map or a device last changed; devices are not looked up again for
      // every map on every operation (a sysfs lookup each).
      record.missing_devices = known->missing_devices;
    }
    if (!record.missing_devices.empty() && record.state == MapState::Active)
      record.state = MapState::Degraded;
  }
}

std::vector<MapRecord> Engine::stored_records_missing_from(
    const std::vector<MapRecord>& observed) const {
  // Looked up in sets: this runs after every operation, over every stored map.
  std::set<std::string_view> running_names, running_uuids;
  for (const MapRecord& record : observed) {
    running_names.insert(record.name);
    running_uuids.insert(record.uuid);
  }
  std::vector<MapRecord> stored;
  for (const auto& [name, definition] : definitions_) {
    const bool runs = running_uuids.contains(definition.uuid) || running_names.contains(name);
    const auto facts = facts_.find(definition.uuid);
    if (runs || (facts != facts_.end() && facts->second.deactivated))
      continue;
    MapRecord record;
    record.name = name;
    record.uuid = definition.uuid;
    record.table = definition.table;
    try {
      record.size = parse_table(definition.table, table_context(targets_)).size();
    } catch (const Error&) {
      // Shown as size 0; the failure is in failed_.
    }
    record.state = MapState::Pending;
    record.read_only = definition.read_only;
    record.persistent = true;
    record.owned = true;
    record.created_by_uid = definition.created_by_uid;
    record.merge_pending = definition.merge_pending;
    record.snapshot_policy = definition.snapshot_policy;
    if (const auto missing = missing_.find(name); missing != missing_.end())
      record.missing_devices = missing->second;
    stored.push_back(std::move(record));
  }
  return stored;
}

void Engine::announce(const CatalogChange& change, const std::optional<MapRecord>& before) {
  const bool was_visible = before && !before->hidden();
  const bool is_visible = change.kind != CatalogChange::Kind::Removed && !change.record.hidden();
  if (change.kind == CatalogChange::Kind::Removed || change.kind == CatalogChange::Kind::Renamed)
    fill_.forget(before ? before->name : change.record.name);
  if (was_visible && !is_visible)
    return observer_->map_removed(*before);
  if (!was_visible && is_visible) {
    observer_->map_added(change.record);
    return announce_fill(change.record, std::nullopt);
  }
  if (!was_visible)
    return;
  switch (change.kind) {
    case CatalogChange::Kind::Renamed:
      observer_->map_renamed(change.previous_name, change.record);
      break;
    case CatalogChange::Kind::Changed:
      if (!change.fields.empty())
        observer_->map_changed(change.record, change.fields);
      announce_fill(change.record, before);
      break;
    case CatalogChange::Kind::Added:
    case CatalogChange::Kind::Removed:
      break;
  }
}

}  // namespace mapperd
