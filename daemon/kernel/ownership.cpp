#include "kernel/ownership.h"

#include <string>

#include "model/error.h"
#include "model/names.h"

namespace mapperd {
namespace {

std::string_view owner_name(MapOwner owner) {
  switch (owner) {
    case MapOwner::Mapperd:
      return "mapperd";
    case MapOwner::Lvm:
      return "LVM";
    case MapOwner::Cryptsetup:
      return "cryptsetup";
    case MapOwner::Other:
      break;
  }
  return "another tool";
}

}  // namespace

bool is_ours(std::string_view uuid) {
  return owner_of(uuid) == MapOwner::Mapperd;
}

std::vector<MapListing> our_maps(const std::vector<MapListing>& maps) {
  std::vector<MapListing> ours;
  for (const MapListing& map : maps) {
    if (is_ours(map.uuid))
      ours.push_back(map);
  }
  return ours;
}

void require_ours(std::string_view operation, const MapInfo& map) {
  if (is_ours(map.uuid))
    return;
  const std::string uuid = map.uuid.empty() ? "no UUID" : "UUID " + map.uuid;
  throw Error(ErrorKind::NotOwned, std::string(operation) + " " + map.name +
                                       ": the map belongs to " +
                                       std::string(owner_name(owner_of(map.uuid))) + " (" + uuid +
                                       "); mapperd changes only the maps it made");
}

}  // namespace mapperd
