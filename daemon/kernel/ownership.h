#pragma once
// Telling our maps from other tools'. The backend itself is mechanism only and touches whatever
// it is asked to; the engine uses these to refuse changing maps that LVM, cryptsetup or anyone
// else made.

#include <string_view>
#include <vector>

#include "kernel/kernel_backend.h"

namespace mapperd {

// True when the UUID carries mapperd's prefix (model/names.h kOwnedUuidPrefix).
bool is_ours(std::string_view uuid);

// The maps of `maps` that mapperd made, in the same order.
std::vector<MapListing> our_maps(const std::vector<MapListing>& maps);

// Throws Error(NotOwned) unless mapperd made the map, naming the operation, the map and the tool
// its UUID points to: "remove vg0-root: the map belongs to LVM (UUID LVM-...); mapperd changes
// only the maps it made".
void require_ours(std::string_view operation, const MapInfo& map);

}  // namespace mapperd
