// Snapshot fill: a snapshot's COW use read again when it can have changed, and announced when it
// crosses a threshold or the kernel invalidates the snapshot. Nothing runs on a host without
// snapshots, and an idle host with snapshots costs a sysfs read per look and no ioctl.

#include <algorithm>
#include <utility>

#include "engine.h"

namespace mapperd {

void Engine::set_fill_watch(WriteCounter writes, std::chrono::milliseconds interval) {
  write_counter_ = std::move(writes);
  fill_interval_ = interval;
}

RescanScope Engine::snapshots_scope() const {
  RescanScope scope;
  for (const auto& [name, record] : catalog_.all()) {
    if (record.origin && record.state != MapState::Pending)
      scope.maps.push_back(MapEvent{name, record.device});
  }
  return scope;
}

void Engine::request_snapshot_rescan(Completion<Done> done) {
  RescanScope scope = snapshots_scope();
  if (scope.maps.empty())
    return done(Outcome<Done>::success(Done{}));
  request_rescan(std::move(scope), std::move(done));
}

void Engine::watch_fill_while_snapshots_exist() {
  if (!write_counter_ || !schedule_ || fill_look_scheduled_)
    return;
  // Runs after every reading: a scan that stops at the first snapshot, no list built.
  const auto& all = catalog_.all();
  if (std::none_of(all.begin(), all.end(), [](const auto& entry) {
        return entry.second.origin && entry.second.state != MapState::Pending;
      }))
    return;
  fill_look_scheduled_ = true;
  schedule_while_alive(fill_interval_, [this] {
    fill_look_scheduled_ = false;
    look_at_snapshot_fill();
    watch_fill_while_snapshots_exist();
  });
}

void Engine::look_at_snapshot_fill() {
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> writes;
  RescanScope scope;
  std::map<std::string, DeviceNumber> devices;
  for (const auto& [name, record] : catalog_.all()) {
    // An invalid snapshot fills no more: its origin's writes no longer reach its COW.
    if (!record.origin || record.state == MapState::Pending ||
        (record.usage && record.usage->invalid))
      continue;
    const MapRecord* origin = catalog_.find(*record.origin);
    const std::optional<std::uint64_t> own = write_counter_(record.device);
    const std::optional<std::uint64_t> origins =
        origin != nullptr ? write_counter_(origin->device) : std::nullopt;
    if (own && origins) {
      writes[name] = {*own, *origins};
      devices[name] = record.device;
    } else {
      // Counts that cannot be read: better one status read too many than a miss.
      scope.maps.push_back(MapEvent{name, record.device});
    }
  }
  for (const std::string& name : fill_.written_since_last_look(writes))
    scope.maps.push_back(MapEvent{name, devices[name]});
  if (!scope.maps.empty())
    request_rescan(std::move(scope), [](Outcome<Done>) {});
}

void Engine::announce_fill(const MapRecord& record, const std::optional<MapRecord>& before) {
  if (!record.origin || !record.usage)
    return;
  const bool was_invalid = before && before->usage && before->usage->invalid;
  if (record.usage->invalid) {
    // Announced once, when a reading first finds it: at the dm event the kernel raises.
    if (before && !was_invalid)
      observer_->snapshot_invalidated(record);
    return;
  }
  if (const std::optional<unsigned> percent =
          fill_.crossed(record.name, *record.usage, fill_thresholds_of(record.snapshot_policy))) {
    observer_->snapshot_fill_crossed(record, *percent);
    extend_cow_file(record);
  }
}

}  // namespace mapperd
