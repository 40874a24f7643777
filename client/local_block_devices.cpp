#include "local_block_devices.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "exit_status.h"

namespace mapperctl {

using mapperd::DeviceNumber;
using mapperd::Sectors;

std::string LocalBlockDevices::sysfs_directory(DeviceNumber device) const {
  return sysfs_root_ + "/dev/block/" + device.to_string();
}

std::optional<DeviceNumber> LocalBlockDevices::resolve(const mapperd::DeviceRef& ref) const {
  if (ref.is_number()) {
    struct stat info {};
    if (::stat(sysfs_directory(ref.number()).c_str(), &info) != 0)
      return std::nullopt;
    return ref.number();
  }
  struct stat info {};
  if (::stat(ref.text().c_str(), &info) != 0 || !S_ISBLK(info.st_mode))
    return std::nullopt;
  return DeviceNumber{::major(info.st_rdev), ::minor(info.st_rdev)};
}

std::optional<Sectors> LocalBlockDevices::size_of(DeviceNumber device) const {
  // sysfs counts 512-byte sectors whatever the device's logical block size.
  std::ifstream size_file(sysfs_directory(device) + "/size");
  std::uint64_t sectors = 0;
  if (size_file >> sectors)
    return Sectors(sectors);
  return std::nullopt;
}

Sectors LocalBlockDevices::size_of(const std::string& device) const {
  std::string why;
  const std::optional<mapperd::DeviceRef> ref = mapperd::DeviceRef::parse(device, &why);
  if (!ref)
    throw usage_error(why.empty() ? device + " is not a device" : why);
  const std::optional<DeviceNumber> number = resolve(*ref);
  if (!number) {
    throw CommandError(ExitStatus::DeviceMissing, device + " is not a block device",
                       "DeviceMissing");
  }
  if (std::optional<Sectors> size = size_of(*number))
    return *size;

  const int fd = ::open(device.c_str(), O_RDONLY | O_CLOEXEC);
  std::uint64_t bytes = 0;
  if (fd < 0 || ::ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
    const int error = errno;
    if (fd >= 0)
      ::close(fd);
    throw CommandError(ExitStatus::Failed,
                       "cannot read the size of " + device + ": " + std::strerror(error));
  }
  ::close(fd);
  return Sectors(bytes / mapperd::kSectorBytes);
}

}  // namespace mapperctl
