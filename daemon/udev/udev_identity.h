#pragma once
// A device's identity from what udev says about it: pure, tested on the host with plain values.

#include <map>
#include <string>
#include <string_view>

#include "model/device_identity.h"

namespace mapperd {

// What udev has for one block device.
struct UdevDeviceFacts {
  DeviceNumber number;
  // "/dev/sdb1".
  std::string devnode;
  // Its udev properties (only the ones read here matter: ID_WWN, ID_WWN_WITH_EXTENSION,
  // ID_SERIAL, ID_PART_ENTRY_UUID, DEVLINKS).
  std::map<std::string, std::string> properties;
};

// The /dev/disk/by-id/ link of a DEVLINKS value (links separated by spaces) that sorts first in
// byte order, so the same set of links always gives the same one; "" when there is none.
std::string first_by_id_link(std::string_view devlinks);

// The identity udev's facts give: number, node, WWN (ID_WWN_WITH_EXTENSION when udev has it:
// some arrays give every LUN one ID_WWN and tell them apart by the extension; else ID_WWN),
// serial, partition UUID and by-id link. The loop binding and map UUID come from elsewhere.
DeviceIdentity identity_from_udev(const UdevDeviceFacts& facts);

}  // namespace mapperd
