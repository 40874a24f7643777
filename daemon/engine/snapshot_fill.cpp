#include "snapshot_fill.h"

namespace mapperd {

std::optional<unsigned> SnapshotFillWatch::crossed(const std::string& name,
                                                   const SnapshotUsage& usage,
                                                   const std::vector<unsigned>& thresholds) {
  if (usage.invalid)
    return std::nullopt;
  const unsigned reached = fill_threshold_reached(fill_percent(usage), thresholds);
  unsigned& announced = announced_[name];
  if (reached <= announced) {
    announced = reached;
    return std::nullopt;
  }
  announced = reached;
  return reached;
}

std::vector<std::string> SnapshotFillWatch::written_since_last_look(
    const std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>& writes) {
  std::vector<std::string> written;
  for (const auto& [name, counts] : writes) {
    const auto last = last_writes_.find(name);
    if (last == last_writes_.end() || last->second != counts)
      written.push_back(name);
  }
  last_writes_ = writes;
  return written;
}

void SnapshotFillWatch::forget(const std::string& name) {
  announced_.erase(name);
  last_writes_.erase(name);
}

}  // namespace mapperd
