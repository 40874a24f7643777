#include "recording_observer.h"

namespace mapperd::testing {

std::string field_name(MapField field) {
  switch (field) {
    case MapField::Uuid:
      return "Uuid";
    case MapField::Device:
      return "Device";
    case MapField::Size:
      return "Size";
    case MapField::Table:
      return "Table";
    case MapField::State:
      return "State";
    case MapField::ReadOnly:
      return "ReadOnly";
    case MapField::Persistent:
      return "Persistent";
    case MapField::Dependencies:
      return "Dependencies";
    case MapField::MissingDevices:
      return "MissingDevices";
    case MapField::Owned:
      return "Owned";
    case MapField::CreatedByUid:
      return "CreatedByUid";
    case MapField::Origin:
      return "Origin";
    case MapField::Snapshots:
      return "Snapshots";
    case MapField::MergePending:
      return "MergePending";
    case MapField::Usage:
      return "Usage";
  }
  return "?";
}

void RecordingObserver::map_changed(const MapRecord& map, const std::vector<MapField>& fields) {
  std::string line = "changed " + map.name + ":";
  for (MapField field : fields)
    line += " " + field_name(field);
  events.push_back(line);
}

void RecordingObserver::job_changed(const JobRecord& job) {
  events.push_back("job changed " + std::to_string(job.id) + " " +
                   std::to_string(static_cast<int>(job.progress() * 100)) + "%");
}

void RecordingObserver::job_completed(const JobRecord& job) {
  events.push_back("job completed " + std::to_string(job.id) +
                   (job.success ? " ok: " : " failed: ") + job.message);
}

}  // namespace mapperd::testing
