#include "udev/udev_identity.h"

namespace mapperd {
namespace {

std::string property(const UdevDeviceFacts& facts, const std::string& name) {
  const auto found = facts.properties.find(name);
  return found != facts.properties.end() ? found->second : std::string();
}

}  // namespace

std::string first_by_id_link(std::string_view devlinks) {
  constexpr std::string_view kByIdDirectory = "/dev/disk/by-id/";
  std::string_view first;
  while (!devlinks.empty()) {
    const std::size_t space = devlinks.find(' ');
    const std::string_view link = devlinks.substr(0, space);
    devlinks = space == std::string_view::npos ? std::string_view() : devlinks.substr(space + 1);
    if (link.size() > kByIdDirectory.size() && link.starts_with(kByIdDirectory) &&
        (first.empty() || link < first)) {
      first = link;
    }
  }
  return std::string(first);
}

DeviceIdentity identity_from_udev(const UdevDeviceFacts& facts) {
  DeviceIdentity identity;
  identity.number = facts.number;
  identity.path = facts.devnode;
  identity.wwn = property(facts, "ID_WWN_WITH_EXTENSION");
  if (identity.wwn.empty())
    identity.wwn = property(facts, "ID_WWN");
  identity.serial = property(facts, "ID_SERIAL");
  identity.partition_uuid = property(facts, "ID_PART_ENTRY_UUID");
  identity.by_id = first_by_id_link(property(facts, "DEVLINKS"));
  return identity;
}

}  // namespace mapperd
