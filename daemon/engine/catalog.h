#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "map_record.h"
#include "reconcile.h"

namespace mapperd {

// The engine's in-memory picture of every map the kernel has, hidden layers included. Lives on
// the main thread; only the engine changes it, through apply().
class Catalog {
 public:
  // The map called `name`, hidden layer or not; nullptr when there is none.
  const MapRecord* find(std::string_view name) const;
  // The map called `name` if it is exported (not a hidden layer); nullptr otherwise.
  const MapRecord* find_visible(std::string_view name) const;
  // Every map, sorted by name.
  const std::map<std::string, MapRecord>& all() const { return records_; }
  // Exported maps only, sorted by name.
  std::vector<const MapRecord*> visible() const;
  // The map at `device` if it is the map called `name` or sits on it, directly or through the
  // maps between (its dependencies, theirs, ...); nullptr otherwise. A table of `name` naming
  // such a device would make a map that sits on itself: the kernel takes it and then recurses
  // through it until its stack overflows.
  const MapRecord* on_top_of(DeviceNumber device, std::string_view name) const;

  void apply(const CatalogChange& change);

 private:
  std::map<std::string, MapRecord> records_;
};

}  // namespace mapperd
