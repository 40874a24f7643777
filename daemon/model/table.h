#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "device_ref.h"
#include "sectors.h"

namespace mapperd {

// One parameter type per target. Each compares by value, and format_table(parse_table(t))
// prints what `dmsetup table` prints for t once device paths are numbers.

// linear <device> <offset>
struct LinearTarget {
  DeviceRef device;
  Sectors offset;
  friend bool operator==(const LinearTarget&, const LinearTarget&) = default;
};

struct Stripe {
  DeviceRef device;
  Sectors offset;
  friend bool operator==(const Stripe&, const Stripe&) = default;
};

// striped <#stripes> <chunk size> (<device> <offset>){#stripes}
struct StripedTarget {
  Sectors chunk_size;
  std::vector<Stripe> stripes;
  friend bool operator==(const StripedTarget&, const StripedTarget&) = default;
};

// snapshot-origin <origin>
struct SnapshotOriginTarget {
  DeviceRef origin;
  friend bool operator==(const SnapshotOriginTarget&, const SnapshotOriginTarget&) = default;
};

// P: persistent COW; PO: persistent, overflow reported instead of invalidating; N: transient.
enum class SnapshotStore { Persistent, PersistentOverflow, Transient };

// snapshot|snapshot-merge <origin> <COW> P|PO|N <chunk size>
//   [<#features> [discard_zeroes_cow] [discard_passdown_origin]]
// The tutorial's "snapshot-target" is read as "snapshot".
struct SnapshotTarget {
  bool merge = false;  // snapshot-merge: folds the COW back into the origin
  DeviceRef origin;
  DeviceRef cow;
  SnapshotStore store = SnapshotStore::Persistent;
  Sectors chunk_size;
  bool discard_zeroes_cow = false;
  bool discard_passdown_origin = false;
  friend bool operator==(const SnapshotTarget&, const SnapshotTarget&) = default;
};

struct ZeroTarget {
  friend bool operator==(const ZeroTarget&, const ZeroTarget&) = default;
};

struct ErrorTarget {
  friend bool operator==(const ErrorTarget&, const ErrorTarget&) = default;
};

// A target the running kernel lists that we have no type for (e.g. "crypt", "thin"): its words
// go to the kernel as they were written.
struct PassthroughTarget {
  std::string type;
  std::vector<std::string> args;
  friend bool operator==(const PassthroughTarget&, const PassthroughTarget&) = default;
};

using Target = std::variant<LinearTarget, StripedTarget, SnapshotOriginTarget, SnapshotTarget,
                            ZeroTarget, ErrorTarget, PassthroughTarget>;

struct Segment {
  Sectors start;
  Sectors length;
  Target target;
  friend bool operator==(const Segment&, const Segment&) = default;
};

struct Table {
  std::vector<Segment> segments;

  // The mapped device's size: where the last segment ends.
  Sectors size() const;
  friend bool operator==(const Table&, const Table&) = default;
};

// The kernel's name for the target: "linear", "striped", "snapshot", "snapshot-merge", ...
std::string target_type(const Target& target);
// The target's parameters as the kernel prints them: "7:1 0", "2 8 7:1 0 7:2 0", ...
std::string format_target_args(const Target& target);
// One "start length type args" line per segment, each ending in '\n'.
std::string format_table(const Table& table);

// Every device the table refers to, in order of first use, without repeats.
std::vector<DeviceRef> referenced_devices(const Table& table);
// The same table with every device reference replaced by `replace(ref)`.
template <class Replace>
Table with_devices_replaced(Table table, Replace&& replace);

}  // namespace mapperd

#include "table_inl.h"
