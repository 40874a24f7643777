#pragma once
// Checking where a map's sectors land on the devices below it.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "block_io.h"
#include "loop_device.h"

namespace mapperd::guest {

// Where a sector of a map is stored: a loop device and the sector on it.
struct Place {
  const LoopDevice* device;
  std::uint64_t sector;
};

// Writes sector_pattern(tag, s) at every sector s of `sectors` through the map at `map_path`,
// then checks that each reads back through the map and sits in the backing file of the loop
// device `where(s)` names, at the sector it names.
inline void expect_writes_land(const std::string& map_path, const std::string& tag,
                               const std::vector<std::uint64_t>& sectors,
                               const std::function<Place(std::uint64_t)>& where) {
  for (std::uint64_t sector : sectors)
    write_device(map_path, sector, sector_pattern(tag, sector));
  for (std::uint64_t sector : sectors) {
    const std::string expected = sector_pattern(tag, sector);
    const Place place = where(sector);
    const std::string through_map = read_device(map_path, sector);
    const std::string below = place.device->read_backing(place.sector);
    EXPECT_TRUE(through_map == expected)
        << "map sector " << sector << " reads back " << describe(through_map);
    EXPECT_TRUE(below == expected)
        << "map sector " << sector << " should be sector " << place.sector << " of "
        << place.device->path() << ", which holds " << describe(below);
  }
}

}  // namespace mapperd::guest
