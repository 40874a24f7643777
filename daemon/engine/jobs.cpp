#include "jobs.h"

#include <algorithm>

namespace mapperd {

double JobRecord::progress() const {
  if (!progress_valid)
    return 0.0;
  if (bytes_total == 0)
    return finished && success ? 1.0 : 0.0;
  return std::min(1.0, static_cast<double>(bytes_done) / static_cast<double>(bytes_total));
}

void note_merge_sample(JobRecord& job, const SnapshotUsage& usage, std::uint64_t now_us) {
  const std::uint64_t left =
      (usage.allocated > usage.metadata ? usage.allocated - usage.metadata : Sectors(0)).count() *
      512;
  if (!job.first_sample) {
    job.first_sample = usage;
    job.first_sample_us = now_us;
    job.bytes_total = left;
  }
  // The origin may be written during the merge; what is left then outgrows what was done.
  job.bytes_total = std::max(job.bytes_total, left + job.bytes_done);
  job.bytes_done = job.bytes_total - left;
  job.progress_valid = true;
  const std::uint64_t elapsed_us = now_us > job.first_sample_us ? now_us - job.first_sample_us : 0;
  if (elapsed_us > 0 && job.bytes_done > 0) {
    job.rate = static_cast<std::uint64_t>(static_cast<double>(job.bytes_done) * 1e6 /
                                          static_cast<double>(elapsed_us));
  }
  if (job.rate > 0) {
    job.expected_end_us = now_us + static_cast<std::uint64_t>(static_cast<double>(left) * 1e6 /
                                                              static_cast<double>(job.rate));
  }
}

std::uint32_t JobRegistry::add(JobRecord job) {
  job.id = next_id_++;
  const std::uint32_t id = job.id;
  jobs_.emplace(id, std::move(job));
  return id;
}

JobRecord* JobRegistry::find(std::uint32_t id) {
  const auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

const JobRecord* JobRegistry::find(std::uint32_t id) const {
  const auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

const JobRecord* JobRegistry::running_on(const std::string& name) const {
  for (const auto& [id, job] : jobs_) {
    if (!job.finished &&
        std::find(job.objects.begin(), job.objects.end(), name) != job.objects.end())
      return &job;
  }
  return nullptr;
}

}  // namespace mapperd
