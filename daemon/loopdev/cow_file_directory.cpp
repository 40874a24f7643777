#include "cow_file_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "loop_errors.h"
#include "model/error.h"
#include "owned_fd.h"

namespace mapperd {
namespace {

namespace errors = loop_errors;

constexpr std::string_view kSuffix = ".cow";
constexpr std::string_view kOwnedPrefix = "MAPPERD-";
// Device-mapper over md over device-mapper... deeper than this is a loop in sysfs, not a stack.
constexpr int kMaxStackDepth = 16;

std::string mib(std::uint64_t bytes) {
  return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

}  // namespace

CowFileDirectory::CowFileDirectory(std::filesystem::path directory, std::filesystem::path sysfs)
    : directory_(std::move(directory)), sysfs_(std::move(sysfs)) {}

std::string CowFileDirectory::path_for(const std::string& snapshot_uuid) const {
  return (directory_ / (snapshot_uuid + std::string(kSuffix))).string();
}

std::optional<std::string> CowFileDirectory::owner_of(const std::string& path) const {
  const std::filesystem::path file(path);
  const std::string name = file.filename().string();
  if (file.parent_path() != directory_ || !name.starts_with(kOwnedPrefix) ||
      !name.ends_with(kSuffix) || name.size() == kOwnedPrefix.size() + kSuffix.size())
    return std::nullopt;
  return name.substr(0, name.size() - kSuffix.size());
}

bool CowFileDirectory::stacked_on(DeviceNumber device, DeviceNumber origin, int depth) const {
  if (device == origin)
    return true;
  if (depth >= kMaxStackDepth)
    return false;
  std::error_code error;
  const std::filesystem::path slaves = sysfs_ / "dev/block" / device.to_string() / "slaves";
  for (const auto& entry : std::filesystem::directory_iterator(slaves, error)) {
    std::ifstream dev(entry.path() / "dev");
    std::string text;
    if (!std::getline(dev, text))
      continue;
    if (const auto below = DeviceNumber::parse(text);
        below && stacked_on(*below, origin, depth + 1))
      return true;
  }
  return false;
}

std::uint64_t CowFileDirectory::room() const {
  struct statvfs fs {};
  if (::statvfs(directory_.c_str(), &fs) != 0)
    throw errors::system_failure("look at", directory_.string(), errno,
                                 "cannot read its free space");
  // f_bavail, not f_bfree: the blocks reserved for root are the file system's margin.
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::string CowFileDirectory::make(const std::string& snapshot_uuid, std::uint64_t bytes,
                                   DeviceNumber origin) {
  const std::string path = path_for(snapshot_uuid);
  // Where the directory is, or will be: the nearest part of its path that exists.
  std::filesystem::path existing = directory_;
  struct stat where {};
  while (::stat(existing.c_str(), &where) != 0 && existing.has_relative_path())
    existing = existing.parent_path();
  const DeviceNumber file_system{major(where.st_dev), minor(where.st_dev)};
  if (stacked_on(file_system, origin)) {
    throw Error(ErrorKind::InvalidArgument,
                "make a COW file in " + directory_.string() + ": its file system (device " +
                    file_system.to_string() + ") lives on the origin " + origin.to_string() +
                    "; every write to the origin would wait for the COW, which waits for the "
                    "origin. Give a COW device instead, or mapperd --cow-directory elsewhere");
  }
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) {
    throw errors::system_failure("make", directory_.string(), error.value(),
                                 "cannot make the directory");
  }
  ::chmod(directory_.c_str(), 0700);
  if (const std::uint64_t free = room(); free < bytes) {
    throw Error(ErrorKind::Failed, "make a COW file of " + mib(bytes) + " in " +
                                       directory_.string() + ": its file system has " + mib(free) +
                                       " free; a COW is written until it is full");
  }
  const OwnedFd file(
      ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (file.get() < 0) {
    const int error_number = errno;
    if (error_number == EEXIST)
      throw Error(ErrorKind::AlreadyExists, "make " + path + ": a COW file of that name exists");
    throw errors::system_failure("make", path, error_number);
  }
  if (::ftruncate(file.get(), static_cast<off_t>(bytes)) != 0) {
    const int error_number = errno;
    ::unlink(path.c_str());
    throw errors::system_failure("make", path, error_number, "cannot give it its size");
  }
  return path;
}

std::uint64_t CowFileDirectory::size_of(const std::string& path) const {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      throw errors::no_such_file("look at", path, errno);
    throw errors::system_failure("look at", path, errno);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

void CowFileDirectory::grow(const std::string& path, std::uint64_t bytes) {
  const OwnedFd file(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (file.get() < 0)
    throw errors::system_failure("grow", path, errno);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw errors::not_attachable("grow", path, "is not a regular file");
  const auto now = static_cast<std::uint64_t>(st.st_size);
  if (bytes <= now)
    return;
  if (const std::uint64_t free = room(); free < bytes - now) {
    throw Error(ErrorKind::Failed, "grow " + path + " by " + mib(bytes - now) +
                                       ": its file system has " + mib(free) + " free");
  }
  if (::ftruncate(file.get(), static_cast<off_t>(bytes)) != 0)
    throw errors::system_failure("grow", path, errno);
}

void CowFileDirectory::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw errors::system_failure("delete", path, errno);
}

std::vector<std::string> CowFileDirectory::list() const {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
    if (owner_of(entry.path().string()))
      files.push_back(entry.path().string());
  }
  return files;
}

}  // namespace mapperd
