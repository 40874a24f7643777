#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "map_record.h"
#include "model/snapshot_policy.h"

namespace mapperd {

// What the engine remembers between looks at its snapshots' fill: which threshold it announced
// for each, and the write counts (of the snapshot and of its origin: writes to the origin are what
// fill the COW) it last saw. Keyed by snapshot name. No kernel, no clock: the engine feeds it.
class SnapshotFillWatch {
 public:
  // The threshold (of `thresholds`, increasing) to announce for snapshot `name` at `usage`: one
  // higher than the last announced (the highest reached, once, however many a single look
  // jumped). An invalid snapshot is announced as invalidated instead. A use that fell (the COW
  // grew, or was replaced) lowers the mark.
  std::optional<unsigned> crossed(const std::string& name, const SnapshotUsage& usage,
                                  const std::vector<unsigned>& thresholds);

  // Which snapshots were written since the last look, from `writes` (per snapshot: its own and
  // its origin's write counts, as the block layer keeps them). A snapshot seen for the first time
  // is named too: it may have been written between its last reading and this look (one status
  // read per snapshot, once). Snapshots missing from `writes` are forgotten.
  std::vector<std::string> written_since_last_look(
      const std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>& writes);

  // A snapshot went (or was renamed away): its marks go with it.
  void forget(const std::string& name);

 private:
  std::map<std::string, unsigned> announced_;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> last_writes_;
};

}  // namespace mapperd
