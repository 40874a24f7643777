#pragma once
// Long work that outlives the call that started it (a snapshot merge), as records the bus shows
// as Job objects. Plain values and the progress arithmetic only: the engine owns the registry
// and feeds it what it reads from the kernel.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "map_record.h"

namespace mapperd {

struct JobRecord {
  std::uint32_t id = 0;
  // "merge".
  std::string operation{};
  // The maps involved, by name: for a merge the snapshot (gone once the merge runs) and its
  // origin.
  std::vector<std::string> objects{};
  // A merge's origin and snapshot.
  std::string origin{};
  std::string snapshot{};
  std::uint32_t started_by_uid = 0;
  // Microseconds since the epoch; expected_end_us is 0 while unknown.
  std::uint64_t start_time_us = 0;
  std::uint64_t expected_end_us = 0;
  // Known once the first sample was read: what there was to do, and what is done.
  bool progress_valid = false;
  std::uint64_t bytes_total = 0;
  std::uint64_t bytes_done = 0;
  // Bytes per second, averaged since the first sample.
  std::uint64_t rate = 0;
  // A merge cannot be undone partway.
  bool cancelable = false;
  // Set once it ended; the record stays a little longer so late readers see how.
  bool finished = false;
  bool success = false;
  std::string message{};
  // The first sample: where a merge started from, and when.
  std::optional<SnapshotUsage> first_sample{};
  std::uint64_t first_sample_us = 0;

  // done / total in 0..1; 0 while not valid.
  double progress() const;
  friend bool operator==(const JobRecord&, const JobRecord&) = default;
};

// Takes in a merge's status sample (the origin's snapshot-merge usage, read at `now_us`): the
// first one fixes what there is to do (the COW's allocated sectors beyond its metadata); each
// later one moves bytes_done, the rate and the expected end. A sample that shows more to do than
// the first (the origin was written meanwhile) raises the total, so progress never goes back.
void note_merge_sample(JobRecord& job, const SnapshotUsage& usage, std::uint64_t now_us);

// A merge is complete when the COW holds nothing but its metadata (the kernel's rule, as LVM
// reads it).
inline bool merge_complete(const SnapshotUsage& usage) {
  return usage.allocated == usage.metadata;
}

// The running and just-ended jobs, by id. Ids start at 1 and are never reused in a run.
class JobRegistry {
 public:
  // Gives `job` the next id and keeps it; returns that id.
  std::uint32_t add(JobRecord job);
  JobRecord* find(std::uint32_t id);
  const JobRecord* find(std::uint32_t id) const;
  // The unfinished job that involves map `name`, if any.
  const JobRecord* running_on(const std::string& name) const;
  void erase(std::uint32_t id) { jobs_.erase(id); }
  const std::map<std::uint32_t, JobRecord>& all() const { return jobs_; }

 private:
  std::uint32_t next_id_ = 1;
  std::map<std::uint32_t, JobRecord> jobs_;
};

}  // namespace mapperd
