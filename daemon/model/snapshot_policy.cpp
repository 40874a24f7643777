#include "snapshot_policy.h"

namespace mapperd {

std::vector<unsigned> fill_thresholds_of(const SnapshotPolicy& policy) {
  if (!policy.fill_thresholds.empty())
    return policy.fill_thresholds;
  std::vector<unsigned> thresholds;
  for (unsigned percent = kFirstFillThreshold; percent <= 100; percent += kFillThresholdStep)
    thresholds.push_back(percent);
  return thresholds;
}

unsigned fill_threshold_reached(double percent, const std::vector<unsigned>& thresholds) {
  unsigned reached = 0;
  for (const unsigned threshold : thresholds) {
    if (percent >= threshold)
      reached = threshold;
  }
  return reached;
}

std::optional<std::string> policy_problem(const SnapshotPolicy& policy) {
  unsigned last = 0;
  for (const unsigned threshold : policy.fill_thresholds) {
    if (threshold == 0 || threshold > 100) {
      return "fill-thresholds: " + std::to_string(threshold) +
             " is not a percentage between 1 and 100";
    }
    if (threshold <= last) {
      return "fill-thresholds: " + std::to_string(threshold) + " after " + std::to_string(last) +
             "; they must increase";
    }
    last = threshold;
  }
  if (policy.fill_thresholds.size() > 100)
    return "fill-thresholds: more than 100 of them";
  if (policy.extend_percent == 0 || policy.extend_percent > kMaxExtendPercent) {
    return "extend-percent: " + std::to_string(policy.extend_percent) + " is not between 1 and " +
           std::to_string(kMaxExtendPercent);
  }
  return std::nullopt;
}

}  // namespace mapperd
