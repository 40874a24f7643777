// KernelLoopDevices: the one implementation of LoopDevices over the loop driver. Its 500 lines
// are one responsibility: every way a file becomes, is read back as, or stops being a loop
// device (attach by descriptor or path, re-attach a stored binding, list, detach), with the
// checks each descriptor passes first; the symlink-free path walk lives beside it.

#include "loopdev/kernel_loop_devices.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

#include "loopdev/loop_errors.h"
#include "loopdev/loop_sysfs.h"
#include "loopdev/owned_fd.h"
#include "loopdev/path_without_symlinks.h"

namespace mapperd {
namespace {

namespace errors = loop_errors;

// Another program may take the free device LOOP_CTL_GET_FREE named before LOOP_CONFIGURE
// binds it (EBUSY): ask for another one, a bounded number of times.
constexpr int kConfigureAttempts = 16;
// The kernel's sector: a device that shows less than one is of no use.
constexpr std::uint64_t kSectorBytes = 512;

DeviceNumber device_number(dev_t device) {
  return DeviceNumber{::major(device), ::minor(device)};
}

// What a regular file is, by fstat().
struct FileFacts {
  DeviceNumber device;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  // Its hard links: 0 once it was deleted.
  std::uint64_t links = 0;
};

std::string what_it_is(mode_t mode) {
  if (S_ISDIR(mode))
    return "is a directory";
  if (S_ISBLK(mode))
    return "is a block device (a table can use it directly)";
  if (S_ISCHR(mode))
    return "is a character device";
  if (S_ISFIFO(mode))
    return "is a pipe";
  if (S_ISSOCK(mode))
    return "is a socket";
  if (S_ISLNK(mode))
    return "is a symbolic link";
  return "is not a regular file";
}

// The checks every backing descriptor passes before the kernel sees it: open, readable, a
// regular file, writable when the device is to be, long enough for the offset.
FileFacts check_backing(std::string_view operation, const std::string& name, int fd,
                        const LoopSettings& settings) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0)
    throw errors::not_attachable(operation, name, "is not an open file descriptor", errno);
  if ((flags & O_PATH) != 0)
    throw errors::not_attachable(operation, name, "is an O_PATH descriptor, which cannot be read");
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw errors::system_failure(operation, name, errno, "cannot fstat() it");
  if (!S_ISREG(st.st_mode))
    throw errors::not_attachable(operation, name, what_it_is(st.st_mode));
  const int access = flags & O_ACCMODE;
  if (access == O_WRONLY)
    throw errors::not_attachable(operation, name, "is open write-only; open it for reading too");
  if (access == O_RDONLY && !settings.read_only) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(operation) + " " + name +
                    ": is open read-only, and a writable loop device was asked for; ask for a "
                    "read-only one, or open the file read-write");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (settings.offset >= size || size - settings.offset < kSectorBytes) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(operation) + " " + name + ": is " + std::to_string(size) +
                    " bytes long, which leaves less than one 512-byte sector past offset " +
                    std::to_string(settings.offset));
  }
  return FileFacts{device_number(st.st_dev), static_cast<std::uint64_t>(st.st_ino), size,
                   static_cast<std::uint64_t>(st.st_nlink)};
}

// Whether `path`, as /proc/self/fd shows it, is still a name of the file: the kernel appends
// " (deleted)" once that name was unlinked or replaced, even while other hard links keep the file.
// A file really named so is told apart by looking the name up (when mapperd sees it).
bool still_named(const std::string& path, const FileFacts& facts) {
  constexpr std::string_view kDeleted = " (deleted)";
  if (!path.ends_with(kDeleted))
    return true;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && device_number(st.st_dev) == facts.device &&
         st.st_ino == facts.inode;
}

// The path the kernel has for the file behind `fd` (the one sysfs will show as backing_file),
// kept so the loop can be found again at boot. The descriptor, not the path, says which file it
// is (its device and inode are stored beside the path): the path is the one in the opener's
// mount namespace, which mapperd may not see (PrivateTmp=, ProtectHome= hide /tmp and /home from
// the daemon, not from the restore unit), so it is not looked up to be checked. A file that no
// longer has that name (unlinked, or its name replaced) could never be found again by it:
// refused.
std::string path_of(std::string_view operation, int fd, const FileFacts& facts) {
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  std::string path(4096, '\0');
  const ssize_t length = ::readlink(link.c_str(), path.data(), path.size());
  if (length < 0)
    throw errors::system_failure(operation, link, errno, "cannot read which file it is");
  if (static_cast<std::size_t>(length) == path.size())
    throw errors::not_attachable(operation, link, "has a path longer than 4095 bytes");
  path.resize(static_cast<std::size_t>(length));
  if (facts.links == 0 || !still_named(path, facts)) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(operation) + " " + path +
                    ": the file was deleted (or another file took its name) after it was "
                    "opened; a loop device needs a file that can be found again by its path");
  }
  if (path.empty() || path.front() != '/') {
    throw errors::not_attachable(operation, path,
                                 "is not a file with a path (a memfd or an anonymous inode)");
  }
  return path;
}

// Why open() of a backing file failed, as an error naming it.
[[noreturn]] void throw_open_failure(std::string_view operation, const std::string& path,
                                     bool read_only, int error_number) {
  switch (error_number) {
    case ELOOP:
      throw errors::symbolic_link(operation, path);
    case ENOENT:
    case ENOTDIR:
      throw errors::no_such_file(operation, path, error_number);
    case EISDIR:
      throw errors::not_attachable(operation, path, "is a directory", error_number);
    case ENXIO:
      throw errors::not_attachable(operation, path, "is a socket or a device with no driver",
                                   error_number);
    case EROFS:
      throw errors::not_attachable(
          operation, path,
          "is on a read-only filesystem, so it can back only a read-only loop device",
          error_number);
    case EACCES:
    case EPERM:
      throw Error(ErrorKind::InvalidArgument,
                  std::string(operation) + " " + path + ": " + errors::errno_name(error_number) +
                      ": cannot be opened " +
                      (read_only ? "for reading" : "for reading and writing") +
                      " (permissions, an immutable or append-only attribute, a security "
                      "policy)",
                  error_number);
    default:
      throw errors::system_failure(operation, path, error_number, "cannot open it");
  }
}

// The open() of a backing file by path: no symbolic link at the end, no controlling terminal,
// and no wait on a FIFO (O_NONBLOCK, taken off again once it is known to be a regular file).
OwnedFd open_backing(std::string_view operation, const std::string& path, bool read_only) {
  if (path.empty() || path.front() != '/') {
    throw Error(ErrorKind::InvalidArgument, std::string(operation) + " " + path +
                                                ": not an absolute path; give the full path "
                                                "of the file");
  }
  const int access = read_only ? O_RDONLY : O_RDWR;
  OwnedFd fd(::open(path.c_str(), access | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0)
    throw_open_failure(operation, path, read_only, errno);
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0)
    ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

// A stored backing file opened again to re-attach it: reached without any symbolic link, so a
// directory on the path swapped for a link cannot redirect root, and checked on the O_PATH
// descriptor (a regular file, the stored device and inode) before it is opened for reading or
// writing; the reopen through /proc/self/fd opens that very inode.
OwnedFd open_stored_backing(const LoopBacking& backing) {
  constexpr std::string_view op = "reattach";
  const std::string& path = backing.file;
  if (path.empty() || path.front() != '/') {
    throw Error(ErrorKind::InvalidArgument, std::string(op) + " " + path +
                                                ": not an absolute path; give the full path "
                                                "of the file");
  }
  const OwnedFd node(open_path_without_symlinks(path));
  if (node.get() < 0) {
    const int error_number = errno;
    if (error_number == ELOOP)
      throw errors::symbolic_link_on_path(op, path);
    throw_open_failure(op, path, backing.read_only, error_number);
  }
  struct stat st {};
  if (::fstat(node.get(), &st) != 0)
    throw errors::system_failure(op, path, errno, "cannot fstat() it");
  if (!S_ISREG(st.st_mode))
    throw errors::not_attachable(op, path, what_it_is(st.st_mode));
  if (device_number(st.st_dev) != backing.file_device || st.st_ino != backing.inode) {
    throw errors::file_replaced(op, path, backing.file_device, backing.inode,
                                device_number(st.st_dev), st.st_ino);
  }
  const std::string reopen = "/proc/self/fd/" + std::to_string(node.get());
  OwnedFd fd(
      ::open(reopen.c_str(), (backing.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0)
    throw_open_failure(op, path, backing.read_only, errno);
  return fd;
}

// Who holds /dev/loop<index> exclusively: the device-mapper maps sysfs lists as its holders,
// else the kinds of user that claim a device without showing up there.
std::string exclusive_user(const std::filesystem::path& sysfs, std::uint32_t index) {
  std::vector<std::string> maps;
  std::error_code error;
  const std::filesystem::path holders = sysfs / "block" / errors::loop_name(index) / "holders";
  std::filesystem::directory_iterator entry(holders, error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    const std::string holder = entry->path().filename().string();
    std::ifstream name_file(sysfs / "block" / holder / "dm" / "name");
    std::string name;
    if (std::getline(name_file, name))
      maps.push_back("device-mapper map " + name + " (" + holder + ")");
    else
      maps.push_back(holder);
  }
  if (maps.empty())
    return "a mount, swap or another program that opened it exclusively";
  std::sort(maps.begin(), maps.end());
  std::string text;
  for (const std::string& map : maps)
    text += (text.empty() ? "" : ", ") + map;
  return text;
}

// LOOP_GET_STATUS64; false (errno set) when it fails, ENXIO meaning "not bound".
bool get_status(int fd, loop_info64& info) {
  info = loop_info64{};
  return ::ioctl(fd, LOOP_GET_STATUS64, &info) == 0;
}

}  // namespace

KernelLoopDevices::KernelLoopDevices(std::filesystem::path sysfs, std::filesystem::path dev)
    : sysfs_(std::move(sysfs)), dev_(std::move(dev)) {}

std::string KernelLoopDevices::node(std::uint32_t index) const {
  return (dev_ / errors::loop_name(index)).string();
}

std::optional<LoopDevice> KernelLoopDevices::bound_at(std::uint32_t index) const {
  const std::optional<LoopSysfsEntry> entry =
      read_loop_sysfs(sysfs_ / "block" / errors::loop_name(index));
  if (!entry)
    return std::nullopt;
  LoopDevice device;
  device.index = entry->index;
  device.number = entry->number;
  device.path = node(entry->index);
  device.backing.file = entry->backing_file;
  device.backing.offset = entry->offset;
  device.backing.size_limit = entry->size_limit;
  device.backing.read_only = entry->read_only;
  device.autoclear = entry->autoclear;

  bool identified = false;
  if (!entry->autoclear) {
    // Read-only: closing a descriptor opened for writing would make udev re-probe the device.
    const OwnedFd fd(::open(device.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
      return std::nullopt;  // removed meanwhile
    loop_info64 info{};
    if (fd.get() >= 0) {
      if (get_status(fd.get(), info)) {
        // The status is one consistent snapshot; sysfs was read file by file.
        device.backing.file_device = device_number(static_cast<dev_t>(info.lo_device));
        device.backing.inode = info.lo_inode;
        device.backing.offset = info.lo_offset;
        device.backing.size_limit = info.lo_sizelimit;
        device.backing.read_only = (info.lo_flags & LO_FLAGS_READ_ONLY) != 0;
        device.autoclear = (info.lo_flags & LO_FLAGS_AUTOCLEAR) != 0;
        identified = true;
      } else if (errno == ENXIO) {
        return std::nullopt;  // unbound meanwhile
      }
    }
  }
  if (!identified) {
    // An autoclear device (or one this process may not open): the file now at its path.
    struct stat st {};
    if (::stat(device.backing.file.c_str(), &st) == 0) {
      device.backing.file_device = device_number(st.st_dev);
      device.backing.inode = st.st_ino;
    }
  }
  return device;
}

std::vector<LoopDevice> KernelLoopDevices::list() const {
  std::vector<LoopDevice> devices;
  for (const LoopSysfsEntry& entry : read_bound_loops(sysfs_)) {
    if (std::optional<LoopDevice> device = bound_at(entry.index))
      devices.push_back(std::move(*device));
  }
  return devices;
}

std::optional<LoopDevice> KernelLoopDevices::find_bound(const LoopBacking& backing) const {
  for (LoopDevice& device : list()) {
    if (device.backing.inode != 0 && device.backing.file_device == backing.file_device &&
        device.backing.inode == backing.inode && device.backing.offset == backing.offset) {
      return std::move(device);
    }
  }
  return std::nullopt;
}

LoopDevice KernelLoopDevices::attach(int fd, const LoopSettings& settings) {
  return bind("attach", "descriptor " + std::to_string(fd), fd, settings);
}

LoopDevice KernelLoopDevices::bind(std::string_view operation, const std::string& name, int fd,
                                   const LoopSettings& settings) {
  const FileFacts facts = check_backing(operation, name, fd, settings);
  const std::string path = path_of(operation, fd, facts);

  const std::string control_path = (dev_ / "loop-control").string();
  const OwnedFd control(::open(control_path.c_str(), O_RDWR | O_CLOEXEC));
  if (control.get() < 0) {
    throw errors::kernel_failure(operation, path, errno,
                                 "cannot open " + control_path + " (is the loop module loaded?)");
  }

  loop_config config{};
  config.fd = static_cast<__u32>(fd);
  config.info.lo_offset = settings.offset;
  config.info.lo_sizelimit = settings.size_limit;
  // Never LO_FLAGS_AUTOCLEAR: the device must outlive every opener until it is detached on
  // purpose. No LO_FLAGS_PARTSCAN: a partition table inside the file is a map's business.
  config.info.lo_flags = settings.read_only ? LO_FLAGS_READ_ONLY : 0;
  // Informational only (64 bytes, cut): sysfs shows the full path.
  std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), path.c_str(), LO_NAME_SIZE - 1);

  for (int attempt = 0; attempt < kConfigureAttempts; ++attempt) {
    const int index = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (index < 0)
      throw errors::kernel_failure(operation, path, errno, "no free loop device can be made");
    const auto loop_index = static_cast<std::uint32_t>(index);
    const std::string loop_path = node(loop_index);
    // The device's open mode matters: the kernel makes the device read-only when it was opened
    // without write access, whatever the flags say.
    const OwnedFd loop(
        ::open(loop_path.c_str(), (settings.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    if (loop.get() < 0) {
      if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
        continue;  // removed by another program meanwhile
      throw errors::system_failure(operation, loop_path, errno, "cannot open the loop device");
    }
    if (::ioctl(loop.get(), LOOP_CONFIGURE, &config) != 0) {
      const int error_number = errno;
      if (error_number == EBUSY)
        continue;  // another program bound it first
      if (error_number == ENOTTY || error_number == EINVAL) {
        throw errors::kernel_failure(
            operation, path, error_number,
            "the loop driver refused LOOP_CONFIGURE (it needs Linux 5.8 or later)");
      }
      throw errors::kernel_failure(operation, path, error_number,
                                   "the loop driver refused to bind it to " + loop_path);
    }

    LoopDevice device;
    device.index = loop_index;
    device.path = loop_path;
    device.backing.file = path;
    device.backing.file_device = facts.device;
    device.backing.inode = facts.inode;
    device.backing.offset = settings.offset;
    device.backing.size_limit = settings.size_limit;
    device.backing.read_only = settings.read_only;
    struct stat st {};
    if (::fstat(loop.get(), &st) == 0)
      device.number = device_number(st.st_rdev);
    loop_info64 info{};
    if (get_status(loop.get(), info))
      device.backing.read_only = (info.lo_flags & LO_FLAGS_READ_ONLY) != 0;
    return device;
  }
  throw errors::kernel_failure(operation, path, EBUSY,
                               "other programs took every free loop device first, " +
                                   std::to_string(kConfigureAttempts) + " times in a row");
}

LoopDevice KernelLoopDevices::attach_file(const std::string& path, const LoopSettings& settings) {
  const OwnedFd fd = open_backing("attach", path, settings.read_only);
  return bind("attach", path, fd.get(), settings);
}

Reattachment KernelLoopDevices::reattach(const LoopBacking& backing) {
  if (std::optional<LoopDevice> bound = find_bound(backing))
    return Reattachment{std::move(*bound), true};
  const OwnedFd fd = open_stored_backing(backing);
  const LoopSettings settings{backing.offset, backing.size_limit, backing.read_only};
  return Reattachment{bind("reattach", backing.file, fd.get(), settings), false};
}

void KernelLoopDevices::detach(std::uint32_t index) {
  const std::string path = node(index);
  // O_EXCL fails with EBUSY while a map, a mount or swap holds the device, and keeps any of
  // them from claiming it while we detach.
  const OwnedFd fd(::open(path.c_str(), O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error_number = errno;
    if (error_number == ENOENT || error_number == ENXIO || error_number == ENODEV)
      throw errors::not_bound("detach", index);
    if (error_number == EBUSY)
      throw errors::busy("detach", index, exclusive_user(sysfs_, index));
    throw errors::system_failure("detach", path, error_number, "cannot open the loop device");
  }
  loop_info64 before{};
  if (!get_status(fd.get(), before)) {
    const int error_number = errno;
    if (error_number == ENXIO)
      throw errors::not_bound("detach", index);
    throw errors::kernel_failure("detach", path, error_number, "cannot read its status");
  }
  if (::ioctl(fd.get(), LOOP_CLR_FD, 0) != 0) {
    const int error_number = errno;
    if (error_number == ENXIO)
      throw errors::not_bound("detach", index);
    if (error_number == EBUSY)
      throw errors::busy("detach", index, "another program");
    throw errors::kernel_failure("detach", path, error_number,
                                 "the loop driver refused to unbind it");
  }
  // When anyone else has the device open, LOOP_CLR_FD does not fail: it sets autoclear and
  // returns 0, leaving the detach to the last close. A device still bound now is such a one:
  // take the autoclear back off (unless it was on before), and say it is busy.
  loop_info64 after{};
  if (!get_status(fd.get(), after))
    return;  // unbound: detached
  std::string cancelled;
  if ((before.lo_flags & LO_FLAGS_AUTOCLEAR) == 0) {
    after.lo_flags &= ~static_cast<__u32>(LO_FLAGS_AUTOCLEAR);
    if (::ioctl(fd.get(), LOOP_SET_STATUS64, &after) != 0) {
      cancelled =
          "; the kernel will detach it when the last program closes it (taking that "
          "back failed: " +
          errors::errno_name(errno) + ")";
    }
  }
  throw errors::busy("detach", index,
                     "a program that has it open (fuser -v " + path +
                         " shows which; udev probing it right after a change counts)" + cancelled);
}

void KernelLoopDevices::refresh_size(std::uint32_t index) {
  const std::string path = node(index);
  const OwnedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error_number = errno;
    if (error_number == ENOENT || error_number == ENXIO || error_number == ENODEV)
      throw errors::not_bound("refresh the size of", index);
    throw errors::system_failure("refresh the size of", path, error_number,
                                 "cannot open the loop device");
  }
  if (::ioctl(fd.get(), LOOP_SET_CAPACITY, 0) != 0) {
    const int error_number = errno;
    if (error_number == ENXIO)
      throw errors::not_bound("refresh the size of", index);
    throw errors::kernel_failure("refresh the size of", path, error_number,
                                 "the loop driver refused to read its file's size again");
  }
}

std::optional<LoopBacking> KernelLoopDevices::backing_of_path(const std::string& path,
                                                              const LoopSettings& settings) const {
  if (path.empty() || path.front() != '/') {
    throw Error(ErrorKind::InvalidArgument,
                "backing file " + path + ": not an absolute path; give the full path of the file");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return std::nullopt;
    throw errors::system_failure("backing file", path, errno, "cannot lstat() it");
  }
  if (S_ISLNK(st.st_mode))
    throw errors::symbolic_link("backing file", path);
  if (!S_ISREG(st.st_mode))
    throw errors::not_attachable("backing file", path, what_it_is(st.st_mode));
  LoopBacking backing;
  backing.file = path;
  backing.file_device = device_number(st.st_dev);
  backing.inode = st.st_ino;
  backing.offset = settings.offset;
  backing.size_limit = settings.size_limit;
  backing.read_only = settings.read_only;
  return backing;
}

}  // namespace mapperd
