#pragma once

#include <string>
#include <vector>

#include "jobs.h"
#include "loop_record.h"
#include "map_record.h"

namespace mapperd {

// What the engine announces, on its own thread, as the catalog changes. Only exported maps are
// announced (hidden -real layers never are). The bus layer implements it: exports objects and
// emits InterfacesAdded / PropertiesChanged / InterfacesRemoved.
//
// Order guarantee: within one batch of changes, removals come first, then renames, additions and
// changes, so an announced relation never names a map that is not announced yet. An operation's
// completion runs after the announcements its changes caused.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;

  virtual void map_added(const MapRecord& map) = 0;
  // `fields` is never empty.
  virtual void map_changed(const MapRecord& map, const std::vector<MapField>& fields) = 0;
  virtual void map_removed(const MapRecord& last_known) = 0;
  // The map called `previous_name` is now `map` (its object moves).
  virtual void map_renamed(const std::string& previous_name, const MapRecord& map) = 0;
  // The kernel's target list changed (a module was loaded).
  virtual void targets_changed() = 0;
  // A loop device mapperd attached appeared or went (detached, or gone behind its back).
  virtual void loop_added(const LoopRecord& loop) = 0;
  virtual void loop_removed(const LoopRecord& last_known) = 0;
  // A job (a merge) started, moved on, ended (finished set; its record stays a little longer),
  // and went. Observers that show no jobs keep these defaults.
  virtual void job_added(const JobRecord&) {}
  virtual void job_changed(const JobRecord&) {}
  virtual void job_completed(const JobRecord&) {}
  virtual void job_removed(const JobRecord&) {}
  // A snapshot's COW use reached `percent` (a threshold: snapshot_fill.h), after the change of
  // its usage was announced.
  virtual void snapshot_fill_crossed(const MapRecord&, unsigned /*percent*/) {}
  // The kernel invalidated a snapshot (its COW overflowed, or failed): it can no longer be read.
  virtual void snapshot_invalidated(const MapRecord&) {}
  // mapperd grew a snapshot's COW file (auto-extend) from `from` to `to` bytes.
  virtual void snapshot_cow_grown(const MapRecord&, std::uint64_t /*from*/, std::uint64_t /*to*/) {}
  // Work mapperd does on its own (growing or releasing a COW file) failed; `map` names the map
  // it was for, or is empty.
  virtual void background_failure(const std::string& /*map*/, const std::string& /*message*/) {}
};

}  // namespace mapperd
