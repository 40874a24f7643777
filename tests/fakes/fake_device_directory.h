#pragma once

#include <map>

#include "interfaces/device_directory.h"
#include "model/device_matching.h"
#include "model/error.h"

namespace mapperd {

// An in-memory DeviceDirectory for unit tests of the layers above the udev seam: the test adds
// and removes identities; locate() is the real best_match() over them.
class FakeDeviceDirectory final : public DeviceDirectory {
 public:
  // A device udev has initialised, with what it knows of it; replaces one with the same number.
  void add(const DeviceIdentity& identity) { devices_[identity.number] = identity; }
  void remove(DeviceNumber number) { devices_.erase(number); }

  DeviceIdentity identify(DeviceNumber number) const override {
    const auto found = devices_.find(number);
    if (found == devices_.end()) {
      throw Error(ErrorKind::DeviceMissing,
                  "identify " + number.to_string() + ": no such block device");
    }
    return found->second;
  }
  std::optional<DeviceNumber> locate(const DeviceIdentity& identity) const override {
    return best_match(identity, enumerate());
  }
  std::vector<DeviceIdentity> enumerate() const override {
    std::vector<DeviceIdentity> identities;
    for (const auto& [number, identity] : devices_)
      identities.push_back(identity);
    return identities;
  }

 private:
  std::map<DeviceNumber, DeviceIdentity> devices_;
};

}  // namespace mapperd
