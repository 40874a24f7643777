#pragma once

#include <string>
#include <vector>

#include "engine/engine_observer.h"

namespace mapperd::testing {

// Writes every announcement down as a line a test can compare: "added twoasone",
// "changed origin: Table Dependencies Snapshots", "removed snap", "renamed a -> b",
// "targets changed", "loop added /dev/loop0", "loop removed /dev/loop0". Tests add their own lines
// ("completed") to check the order.
class RecordingObserver final : public EngineObserver {
 public:
  void map_added(const MapRecord& map) override { events.push_back("added " + map.name); }
  void map_changed(const MapRecord& map, const std::vector<MapField>& fields) override;
  void map_removed(const MapRecord& map) override { events.push_back("removed " + map.name); }
  void map_renamed(const std::string& previous_name, const MapRecord& map) override {
    events.push_back("renamed " + previous_name + " -> " + map.name);
  }
  void targets_changed() override { events.push_back("targets changed"); }
  void loop_added(const LoopRecord& loop) override {
    events.push_back("loop added " + loop.device_path());
  }
  void loop_removed(const LoopRecord& loop) override {
    events.push_back("loop removed " + loop.device_path());
  }

  // "job added 1", "job changed 1 50%", "job completed 1 ok: merged snap into origin",
  // "job removed 1".
  void job_added(const JobRecord& job) override {
    events.push_back("job added " + std::to_string(job.id));
  }
  void job_changed(const JobRecord& job) override;
  void job_completed(const JobRecord& job) override;
  void job_removed(const JobRecord& job) override {
    events.push_back("job removed " + std::to_string(job.id));
  }

  // "filled snap 85%", "invalidated snap".
  void snapshot_fill_crossed(const MapRecord& snapshot, unsigned percent) override {
    events.push_back("filled " + snapshot.name + " " + std::to_string(percent) + "%");
  }
  void snapshot_invalidated(const MapRecord& snapshot) override {
    events.push_back("invalidated " + snapshot.name);
  }
  void snapshot_cow_grown(const MapRecord& snapshot, std::uint64_t from,
                          std::uint64_t to) override {
    events.push_back("grew " + snapshot.name + " " + std::to_string(from) + " " +
                     std::to_string(to));
  }
  void background_failure(const std::string& map, const std::string& message) override {
    events.push_back("failure " + map + ": " + message);
  }

  std::vector<std::string> events;
};

std::string field_name(MapField field);

}  // namespace mapperd::testing
