#include "catalog.h"

#include <set>

namespace mapperd {

const MapRecord* Catalog::find(std::string_view name) const {
  const auto it = records_.find(std::string(name));
  return it == records_.end() ? nullptr : &it->second;
}

const MapRecord* Catalog::find_visible(std::string_view name) const {
  const MapRecord* record = find(name);
  return record != nullptr && !record->hidden() ? record : nullptr;
}

std::vector<const MapRecord*> Catalog::visible() const {
  std::vector<const MapRecord*> result;
  for (const auto& [name, record] : records_) {
    if (!record.hidden())
      result.push_back(&record);
  }
  return result;
}

const MapRecord* Catalog::on_top_of(DeviceNumber device, std::string_view name) const {
  const MapRecord* below = find(name);
  if (below == nullptr || below->device == DeviceNumber{})
    return nullptr;
  std::map<DeviceNumber, const MapRecord*> by_device;
  for (const auto& [map_name, record] : records_) {
    if (record.device != DeviceNumber{})
      by_device[record.device] = &record;
  }
  const auto top = by_device.find(device);
  if (top == by_device.end())
    return nullptr;  // not a map
  // Down from the map at `device`, each map once (a cycle the kernel let in must still end).
  std::vector<const MapRecord*> to_visit{top->second};
  std::set<DeviceNumber> seen;
  while (!to_visit.empty()) {
    const MapRecord* record = to_visit.back();
    to_visit.pop_back();
    if (record->device == below->device)
      return top->second;
    if (!seen.insert(record->device).second)
      continue;
    for (const DeviceNumber& dependency : record->dependencies) {
      if (const auto lower = by_device.find(dependency); lower != by_device.end())
        to_visit.push_back(lower->second);
    }
  }
  return nullptr;
}

void Catalog::apply(const CatalogChange& change) {
  switch (change.kind) {
    case CatalogChange::Kind::Removed:
      records_.erase(change.record.name);
      break;
    case CatalogChange::Kind::Renamed:
      records_.erase(change.previous_name);
      records_[change.record.name] = change.record;
      break;
    case CatalogChange::Kind::Added:
    case CatalogChange::Kind::Changed:
      records_[change.record.name] = change.record;
      break;
  }
}

}  // namespace mapperd
