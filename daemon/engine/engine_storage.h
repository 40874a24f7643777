#pragma once

#include "interfaces/cow_files.h"
#include "interfaces/device_directory.h"
#include "interfaces/udev_activity.h"
#include "model/block_devices.h"

namespace mapperd {

class DefinitionStore;
class RuntimeState;
class LoopDevices;

// Where the engine keeps what must outlive it, and how it finds devices again. All of it is used
// on the kernel thread only, inside jobs, so the files change in step with the kernel. With any
// of the first three missing nothing is stored (unit tests of other behaviour).
struct EngineStorage {
  DefinitionStore* definitions = nullptr;  // /etc/mapperd
  RuntimeState* runtime = nullptr;         // /run/mapperd
  const DeviceDirectory* directory = nullptr;
  LoopDevices* loops = nullptr;
  const BlockDevices* block_devices = nullptr;
  // What a loop detach waits on: udev holds a newly bound loop device open while it probes it.
  // Without it a detach does not wait.
  UdevActivity* udev = nullptr;
  // Where COW files mapperd makes live (/var/lib/mapperd/cow). Without it a snapshot needs a
  // COW device.
  CowFiles* cow_files = nullptr;

  bool enabled() const {
    return definitions != nullptr && runtime != nullptr && directory != nullptr &&
           block_devices != nullptr;
  }
};

}  // namespace mapperd
