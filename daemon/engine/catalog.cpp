#include "catalog.h"

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
