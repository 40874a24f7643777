#include "kernel/sysfs_block_devices.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <charconv>
#include <fstream>
#include <string>
#include <system_error>

namespace mapperd {

SysfsBlockDevices::SysfsBlockDevices(std::filesystem::path sysfs) : sysfs_(std::move(sysfs)) {}

std::filesystem::path SysfsBlockDevices::device_dir(DeviceNumber device) const {
  return sysfs_ / "dev" / "block" / device.to_string();
}

std::optional<DeviceNumber> SysfsBlockDevices::resolve(const DeviceRef& ref) const {
  if (ref.is_number()) {
    std::error_code error;
    if (!std::filesystem::exists(device_dir(ref.number()), error))
      return std::nullopt;
    return ref.number();
  }
  // stat() rather than lstat(): /dev/mapper/NAME and /dev/disk/by-id/... are symlinks.
  struct stat st {};
  if (::stat(ref.text().c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
    return std::nullopt;
  // A node can outlive its device (or be made by hand for a number nobody has): only a number
  // the kernel knows counts.
  return resolve(DeviceRef::of(DeviceNumber{::major(st.st_rdev), ::minor(st.st_rdev)}));
}

std::optional<Sectors> SysfsBlockDevices::size_of(DeviceNumber device) const {
  std::ifstream file(device_dir(device) / "size");
  std::string text;
  if (!(file >> text))
    return std::nullopt;
  std::uint64_t sectors = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sectors);
  if (error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return Sectors(sectors);
}

std::optional<std::uint64_t> SysfsBlockDevices::writes_completed(DeviceNumber device) const {
  // "reads merges sectors ticks writes ...": whitespace-separated, padded.
  std::ifstream file(device_dir(device) / "stat");
  std::uint64_t field = 0;
  for (int i = 0; i < 5; ++i) {
    if (!(file >> field))
      return std::nullopt;
  }
  return field;
}

}  // namespace mapperd
