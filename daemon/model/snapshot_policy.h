#pragma once
// What mapperd does for a snapshot while it fills: when it announces the fill, and whether it
// grows the COW file it made for it. Chosen at CreateSnapshot, kept with the snapshot.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mapperd {

// dmeventd's snapshot plugin warns at 80 % and then every 5 %; so does mapperd by default.
inline constexpr unsigned kFirstFillThreshold = 80;
inline constexpr unsigned kFillThresholdStep = 5;
// A COW file mapperd made grows by this much of its size at a threshold (LVM's
// snapshot_autoextend_percent default).
inline constexpr unsigned kDefaultExtendPercent = 20;
// Growing by more than the COW's own size at once is a typo, not a policy.
inline constexpr unsigned kMaxExtendPercent = 100;

struct SnapshotPolicy {
  // Percentages of the COW, strictly increasing, 1..100; empty means the default (80, 85, ...,
  // 100).
  std::vector<unsigned> fill_thresholds{};
  // Grow the COW at each threshold; only a COW file mapperd made is ever grown.
  bool auto_extend = false;
  unsigned extend_percent = kDefaultExtendPercent;

  bool is_default() const { return *this == SnapshotPolicy{}; }
  friend bool operator==(const SnapshotPolicy&, const SnapshotPolicy&) = default;
};

// The thresholds in force: the policy's own, or the default ones.
std::vector<unsigned> fill_thresholds_of(const SnapshotPolicy& policy);

// The highest of `thresholds` (increasing) that `percent` reached; 0 below the first.
unsigned fill_threshold_reached(double percent, const std::vector<unsigned>& thresholds);

// Why `policy` cannot be used ("fill-thresholds: 90 after 95; they must increase"), or nothing.
std::optional<std::string> policy_problem(const SnapshotPolicy& policy);

}  // namespace mapperd
