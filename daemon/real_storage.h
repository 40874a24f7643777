#pragma once
// The real parts behind EngineStorage: the definition store and runtime state in their
// directories, udev's device directory and the kernel's loop devices.

#include <filesystem>
#include <optional>
#include <string>

#include "engine/engine_storage.h"
#include "loopdev/cow_file_directory.h"
#include "loopdev/kernel_loop_devices.h"
#include "store/definition_store.h"
#include "store/runtime_state.h"
#include "udev/udev_device_directory.h"

namespace mapperd {

// The option, else systemd's $CONFIGURATION_DIRECTORY / $RUNTIME_DIRECTORY (the unit's
// ConfigurationDirectory= and RuntimeDirectory=), else /etc/mapperd and /run/mapperd.
std::filesystem::path state_directory(const std::optional<std::string>& option);
std::filesystem::path runtime_directory(const std::optional<std::string>& option);
// The option, else "cow" in systemd's $STATE_DIRECTORY (the unit's StateDirectory=), else
// /var/lib/mapperd/cow.
std::filesystem::path cow_directory(const std::optional<std::string>& option);

class RealStorage {
 public:
  RealStorage(const std::filesystem::path& state, const std::filesystem::path& runtime,
              const std::filesystem::path& cow, const BlockDevices& block_devices);
  RealStorage(const RealStorage&) = delete;
  RealStorage& operator=(const RealStorage&) = delete;

  // `udev`: what loop detaches wait on (the daemon's one monitor, used on the kernel thread).
  EngineStorage engine_storage(UdevActivity& udev);

 private:
  DefinitionStore definitions_;
  RuntimeState runtime_;
  // Before the directory, which reads loop bindings through it.
  KernelLoopDevices loops_;
  UdevDeviceDirectory directory_;
  CowFileDirectory cow_files_;
  const BlockDevices& block_devices_;
};

}  // namespace mapperd
