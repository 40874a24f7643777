#include "map_record.h"

namespace mapperd {

std::string_view map_state_name(MapState state) {
  switch (state) {
    case MapState::Active:
      return "active";
    case MapState::Suspended:
      return "suspended";
    case MapState::Pending:
      return "pending";
    case MapState::Degraded:
      return "degraded";
    case MapState::Failed:
      return "failed";
  }
  return "failed";
}

double fill_percent(const SnapshotUsage& usage) {
  if (usage.total.count() == 0)
    return usage.invalid ? 100.0 : 0.0;
  return 100.0 * static_cast<double>(usage.allocated.count()) /
         static_cast<double>(usage.total.count());
}

std::vector<MapField> changed_fields(const MapRecord& before, const MapRecord& after) {
  std::vector<MapField> fields;
  auto note = [&fields](bool differs, MapField field) {
    if (differs)
      fields.push_back(field);
  };
  note(before.uuid != after.uuid, MapField::Uuid);
  note(before.device != after.device, MapField::Device);
  note(before.size != after.size, MapField::Size);
  note(before.table != after.table, MapField::Table);
  note(before.state != after.state, MapField::State);
  note(before.read_only != after.read_only, MapField::ReadOnly);
  note(before.persistent != after.persistent, MapField::Persistent);
  note(before.dependencies != after.dependencies, MapField::Dependencies);
  note(before.missing_devices != after.missing_devices, MapField::MissingDevices);
  note(before.owned != after.owned, MapField::Owned);
  note(before.created_by_uid != after.created_by_uid, MapField::CreatedByUid);
  note(before.origin != after.origin, MapField::Origin);
  note(before.snapshots != after.snapshots, MapField::Snapshots);
  note(before.merge_pending != after.merge_pending, MapField::MergePending);
  note(before.usage != after.usage, MapField::Usage);
  return fields;
}

}  // namespace mapperd
