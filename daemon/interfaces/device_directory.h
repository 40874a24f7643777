#pragma once

#include <optional>
#include <vector>

#include "model/device_identity.h"
#include "model/device_ref.h"

namespace mapperd {

// The host's block devices by identity: what a device is (identify) and which number a device
// identified earlier has now (locate). The udev seam implements it over libudev; tests use an
// in-memory one. Only devices udev has initialised (its rules ran, its properties and links
// exist) are in the directory.
//
// Not thread-safe: one owner thread.
class DeviceDirectory {
 public:
  virtual ~DeviceDirectory() = default;

  // Everything known about `number` now: its node, udev's ID_WWN (ID_WWN_WITH_EXTENSION when
  // udev has it), ID_SERIAL, ID_PART_ENTRY_UUID and first /dev/disk/by-id link (in byte order),
  // a loop device's binding, a device-mapper device's map UUID. Throws Error(DeviceMissing) when
  // there is no such block device or udev has not initialised it yet.
  virtual DeviceIdentity identify(DeviceNumber number) const = 0;

  // The number `identity`'s device has now, chosen by best_match() (model/device_matching.h)
  // among enumerate(); nothing
  // when it is not there, or when more than one device fits (a cloned partition table, the
  // paths of a multipath disk): guessing would put a map on the wrong data. Never throws.
  virtual std::optional<DeviceNumber> locate(const DeviceIdentity& identity) const = 0;

  // Every initialised block device's identity, for a caller locating many identities at once
  // (best_match() over one enumeration). Never throws.
  virtual std::vector<DeviceIdentity> enumerate() const = 0;
};

}  // namespace mapperd
