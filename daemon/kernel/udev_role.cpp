#include "kernel/udev_role.h"

#include <libdevmapper.h>

namespace mapperd {

UdevRole udev_role(std::string_view uuid, const std::vector<TargetLine>& table) {
  if (uuid.ends_with("-real"))
    return UdevRole::HiddenLayer;
  for (const TargetLine& line : table) {
    if (line.type == "snapshot")
      return UdevRole::Snapshot;
  }
  return UdevRole::Visible;
}

std::uint16_t udev_role_flags(UdevRole role) {
  switch (role) {
    case UdevRole::Visible:
      return 0;
    case UdevRole::HiddenLayer:
      return DM_UDEV_DISABLE_DISK_RULES_FLAG | DM_UDEV_DISABLE_OTHER_RULES_FLAG;
    case UdevRole::Snapshot:
      return DM_UDEV_LOW_PRIORITY_FLAG;
  }
  return 0;
}

}  // namespace mapperd
