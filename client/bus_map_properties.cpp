#include "bus_map_properties.h"

#include <sys/sysmacros.h>

#include "object_path.h"

namespace mapperctl {
namespace {

// Sets `out` from the property `name` when it is present with type T.
template <class T, class Out>
bool read(const PropertyValues& values, const char* name, Out& out) {
  const auto it = values.find(name);
  if (it == values.end() || !it->second.containsValueOfType<T>())
    return false;
  out = it->second.get<T>();
  return true;
}

std::string name_of_path(const std::string& path) {
  if (path == "/" || path.empty())
    return {};
  // A path that is not a map path still names something; show it rather than nothing.
  return map_name_from_path(path).value_or(path);
}

}  // namespace

std::vector<std::string> apply_map_properties(const PropertyValues& values, MapInfo& map) {
  std::vector<std::string> applied;
  const auto note = [&](bool was_read, const char* name) {
    if (was_read)
      applied.emplace_back(name);
  };
  note(read<std::string>(values, "Name", map.name), "Name");
  note(read<std::string>(values, "UUID", map.uuid), "UUID");
  note(read<std::string>(values, "DevicePath", map.device_path), "DevicePath");
  std::uint64_t device_number = 0;
  if (read<std::uint64_t>(values, "DeviceNumber", device_number)) {
    map.major = ::major(device_number);
    map.minor = ::minor(device_number);
    applied.emplace_back("DeviceNumber");
  }
  note(read<std::uint64_t>(values, "Size", map.size), "Size");
  note(read<std::string>(values, "Table", map.table), "Table");
  note(read<std::string>(values, "State", map.state), "State");
  note(read<bool>(values, "ReadOnly", map.read_only), "ReadOnly");
  note(read<bool>(values, "Persistent", map.persistent), "Persistent");
  note(read<std::int32_t>(values, "OpenCount", map.open_count), "OpenCount");
  note(read<std::vector<std::string>>(values, "Dependencies", map.dependencies), "Dependencies");
  note(read<std::vector<std::string>>(values, "MissingDevices", map.missing_devices),
       "MissingDevices");
  note(read<bool>(values, "Owned", map.owned), "Owned");
  note(read<std::uint32_t>(values, "CreatedByUID", map.created_by_uid), "CreatedByUID");
  sdbus::ObjectPath origin;
  if (read<sdbus::ObjectPath>(values, "SnapshotOrigin", origin)) {
    map.snapshot_origin = name_of_path(origin);
    applied.emplace_back("SnapshotOrigin");
  }
  std::vector<sdbus::ObjectPath> snapshots;
  if (read<std::vector<sdbus::ObjectPath>>(values, "Snapshots", snapshots)) {
    map.snapshots.clear();
    for (const sdbus::ObjectPath& path : snapshots)
      map.snapshots.push_back(name_of_path(path));
    applied.emplace_back("Snapshots");
  }
  note(read<std::uint64_t>(values, "AllocatedSectors", map.allocated_sectors), "AllocatedSectors");
  note(read<std::uint64_t>(values, "TotalSectors", map.total_sectors), "TotalSectors");
  note(read<std::uint64_t>(values, "MetadataSectors", map.metadata_sectors), "MetadataSectors");
  note(read<bool>(values, "Invalid", map.invalid), "Invalid");
  note(read<bool>(values, "MergePending", map.merge_pending), "MergePending");
  note(read<std::vector<std::uint32_t>>(values, "FillThresholds", map.fill_thresholds),
       "FillThresholds");
  note(read<std::string>(values, "CowFile", map.cow_file), "CowFile");
  note(read<bool>(values, "AutoExtend", map.auto_extend), "AutoExtend");
  note(read<std::uint32_t>(values, "ExtendPercent", map.extend_percent), "ExtendPercent");
  return applied;
}

void apply_job_properties(const PropertyValues& values, JobInfo& job) {
  read<std::string>(values, "Operation", job.operation);
  std::vector<sdbus::ObjectPath> objects;
  if (read<std::vector<sdbus::ObjectPath>>(values, "Objects", objects)) {
    job.maps.clear();
    for (const sdbus::ObjectPath& path : objects)
      job.maps.push_back(name_of_path(path));
  }
  read<double>(values, "Progress", job.progress);
  read<bool>(values, "ProgressValid", job.progress_valid);
  read<std::uint64_t>(values, "BytesDone", job.bytes_done);
  read<std::uint64_t>(values, "BytesTotal", job.bytes_total);
  read<std::uint64_t>(values, "Rate", job.rate);
  read<std::uint64_t>(values, "StartTime", job.start_time);
  read<std::uint64_t>(values, "ExpectedEndTime", job.expected_end);
  read<std::uint32_t>(values, "StartedByUID", job.started_by_uid);
  read<bool>(values, "Cancelable", job.cancelable);
}

std::vector<std::string> apply_loop_properties(const PropertyValues& values, LoopInfo& loop) {
  std::vector<std::string> applied;
  const auto note = [&](bool was_read, const char* name) {
    if (was_read)
      applied.emplace_back(name);
  };
  note(read<std::string>(values, "BackingFile", loop.backing_file), "BackingFile");
  note(read<std::string>(values, "Device", loop.device_path), "Device");
  std::uint64_t device_number = 0;
  if (read<std::uint64_t>(values, "DeviceNumber", device_number)) {
    loop.major = ::major(device_number);
    loop.minor = ::minor(device_number);
    applied.emplace_back("DeviceNumber");
  }
  note(read<std::uint64_t>(values, "Offset", loop.offset), "Offset");
  note(read<std::uint64_t>(values, "Size", loop.size_limit), "Size");
  note(read<bool>(values, "ReadOnly", loop.read_only), "ReadOnly");
  note(read<bool>(values, "Persistent", loop.persistent), "Persistent");
  note(read<std::uint64_t>(values, "Inode", loop.inode), "Inode");
  note(read<std::uint32_t>(values, "CreatedByUID", loop.created_by_uid), "CreatedByUID");
  note(read<std::vector<std::string>>(values, "Warnings", loop.warnings), "Warnings");
  return applied;
}

}  // namespace mapperctl
