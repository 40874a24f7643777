#include "real_storage.h"

#include <cstdlib>

namespace mapperd {
namespace {

std::filesystem::path directory_from(const std::optional<std::string>& option,
                                     const char* systemd_variable, const char* fallback) {
  if (option)
    return *option;
  // systemd may pass several, separated by ':'; ours is the first.
  if (const char* from_systemd = std::getenv(systemd_variable); from_systemd && *from_systemd) {
    const std::string value = from_systemd;
    return value.substr(0, value.find(':'));
  }
  return fallback;
}

}  // namespace

std::filesystem::path state_directory(const std::optional<std::string>& option) {
  return directory_from(option, "CONFIGURATION_DIRECTORY", "/etc/mapperd");
}

std::filesystem::path runtime_directory(const std::optional<std::string>& option) {
  return directory_from(option, "RUNTIME_DIRECTORY", "/run/mapperd");
}

std::filesystem::path cow_directory(const std::optional<std::string>& option) {
  if (option)
    return *option;
  return directory_from(std::nullopt, "STATE_DIRECTORY", "/var/lib/mapperd") / "cow";
}

RealStorage::RealStorage(const std::filesystem::path& state, const std::filesystem::path& runtime,
                         const std::filesystem::path& cow, const BlockDevices& block_devices)
    : definitions_(state),
      runtime_(runtime),
      directory_(loops_),
      cow_files_(cow),
      block_devices_(block_devices) {}

EngineStorage RealStorage::engine_storage(UdevActivity& udev) {
  return EngineStorage{.definitions = &definitions_,
                       .runtime = &runtime_,
                       .directory = &directory_,
                       .loops = &loops_,
                       .block_devices = &block_devices_,
                       .udev = &udev,
                       .cow_files = &cow_files_};
}

}  // namespace mapperd
