#include "fakes/fake_loop_devices.h"

#include <cerrno>

#include "loopdev/loop_errors.h"

namespace mapperd {
namespace {

namespace errors = loop_errors;

constexpr std::uint64_t kSectorBytes = 512;

void require_absolute(std::string_view operation, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    throw Error(ErrorKind::InvalidArgument, std::string(operation) + " " + path +
                                                ": not an absolute path; give the full path "
                                                "of the file");
  }
}

}  // namespace

std::uint64_t FakeLoopDevices::add_file(const std::string& path, std::uint64_t bytes,
                                        DeviceNumber file_device) {
  paths_[path] = Entry{Kind::File, file_device, next_inode_, bytes};
  return next_inode_++;
}

void FakeLoopDevices::add_symlink(const std::string& path) {
  paths_[path] = Entry{Kind::Symlink, {8, 1}, next_inode_++, 0};
}

void FakeLoopDevices::add_directory(const std::string& path) {
  paths_[path] = Entry{Kind::Directory, {8, 1}, next_inode_++, 0};
}

void FakeLoopDevices::remove_path(const std::string& path) {
  paths_.erase(path);
}

void FakeLoopDevices::resize_file(const std::string& path, std::uint64_t bytes) {
  paths_.at(path).size = bytes;
}

int FakeLoopDevices::open(const std::string& path, bool read_only) {
  const auto found = paths_.find(path);
  if (found == paths_.end())
    throw errors::no_such_file("open", path, ENOENT);
  descriptors_[next_descriptor_] = Descriptor{path, found->second, read_only};
  return next_descriptor_++;
}

LoopDevice FakeLoopDevices::bind_externally(const std::string& path, const LoopSettings& settings,
                                            bool autoclear) {
  return bind("losetup", path, path, entry_at("losetup", path), settings.read_only, settings,
              autoclear);
}

void FakeLoopDevices::set_busy(std::uint32_t index, std::string by) {
  if (by.empty())
    busy_.erase(index);
  else
    busy_[index] = std::move(by);
}

void FakeLoopDevices::fail_next(std::string operation, Error error) {
  failures_.insert_or_assign(std::move(operation), std::move(error));
}

void FakeLoopDevices::step(const std::string& operation) {
  const auto failure = failures_.find(operation);
  if (failure == failures_.end())
    return;
  const Error error = failure->second;
  failures_.erase(failure);
  throw error;
}

const FakeLoopDevices::Entry& FakeLoopDevices::entry_at(std::string_view operation,
                                                        const std::string& path) const {
  require_absolute(operation, path);
  const auto found = paths_.find(path);
  if (found == paths_.end())
    throw errors::no_such_file(operation, path, ENOENT);
  if (found->second.kind == Kind::Symlink)
    throw errors::symbolic_link(operation, path);
  return found->second;
}

std::vector<LoopDevice> FakeLoopDevices::list() const {
  std::vector<LoopDevice> devices;
  for (const auto& [index, device] : bound_)
    devices.push_back(device);
  return devices;
}

std::optional<LoopDevice> FakeLoopDevices::bound_at(std::uint32_t index) const {
  const auto found = bound_.find(index);
  if (found == bound_.end())
    return std::nullopt;
  return found->second;
}

std::optional<LoopDevice> FakeLoopDevices::find_bound(const LoopBacking& backing) const {
  for (const auto& [index, device] : bound_) {
    if (device.backing.file_device == backing.file_device &&
        device.backing.inode == backing.inode && device.backing.offset == backing.offset) {
      return device;
    }
  }
  return std::nullopt;
}

LoopDevice FakeLoopDevices::bind(std::string_view operation, const std::string& name,
                                 const std::string& path, const Entry& entry,
                                 bool descriptor_read_only, const LoopSettings& settings,
                                 bool autoclear) {
  if (entry.kind == Kind::Directory)
    throw errors::not_attachable(operation, name, "is a directory");
  if (descriptor_read_only && !settings.read_only) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(operation) + " " + name +
                    ": is open read-only, and a writable loop device was asked for; ask for a "
                    "read-only one, or open the file read-write");
  }
  if (settings.offset >= entry.size || entry.size - settings.offset < kSectorBytes) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(operation) + " " + name + ": is " + std::to_string(entry.size) +
                    " bytes long, which leaves less than one 512-byte sector past offset " +
                    std::to_string(settings.offset));
  }
  std::uint32_t index = 0;
  while (bound_.contains(index))
    ++index;
  LoopDevice device;
  device.index = index;
  device.number = DeviceNumber{kLoopMajor, index};
  device.path = "/dev/" + errors::loop_name(index);
  device.backing = LoopBacking{path,
                               entry.file_device,
                               entry.inode,
                               settings.offset,
                               settings.size_limit,
                               settings.read_only};
  device.autoclear = autoclear;
  bound_[index] = device;
  if (on_bound)
    on_bound(device);
  return device;
}

LoopDevice FakeLoopDevices::attach(int fd, const LoopSettings& settings) {
  calls_.push_back("attach descriptor " + std::to_string(fd));
  step("attach");
  const auto found = descriptors_.find(fd);
  const std::string name = "descriptor " + std::to_string(fd);
  if (found == descriptors_.end())
    throw errors::not_attachable("attach", name, "is not an open file descriptor", EBADF);
  const Descriptor& descriptor = found->second;
  // The descriptor's file must still have the name /proc/self/fd shows (the fake has one mount
  // namespace: a path gone from it is a deleted file, not one hidden from mapperd).
  const auto at_path = paths_.find(descriptor.path);
  if (at_path == paths_.end() || at_path->second.inode != descriptor.entry.inode) {
    throw Error(ErrorKind::InvalidArgument,
                "attach " + descriptor.path +
                    ": the file was deleted (or another file took its name) after it was "
                    "opened; a loop device needs a file that can be found again by its path");
  }
  return bind("attach", name, descriptor.path, descriptor.entry, descriptor.read_only, settings,
              false);
}

LoopDevice FakeLoopDevices::attach_file(const std::string& path, const LoopSettings& settings) {
  calls_.push_back("attach " + path);
  step("attach");
  return bind("attach", path, path, entry_at("attach", path), settings.read_only, settings, false);
}

Reattachment FakeLoopDevices::reattach(const LoopBacking& backing) {
  calls_.push_back("reattach " + backing.file);
  step("reattach");
  if (std::optional<LoopDevice> bound = find_bound(backing))
    return Reattachment{std::move(*bound), true};
  const Entry& entry = entry_at("reattach", backing.file);
  if (entry.file_device != backing.file_device || entry.inode != backing.inode) {
    throw errors::file_replaced("reattach", backing.file, backing.file_device, backing.inode,
                                entry.file_device, entry.inode);
  }
  step("attach");
  const LoopSettings settings{backing.offset, backing.size_limit, backing.read_only};
  return Reattachment{
      bind("reattach", backing.file, backing.file, entry, backing.read_only, settings, false),
      false};
}

void FakeLoopDevices::detach(std::uint32_t index) {
  calls_.push_back("detach " + std::to_string(index));
  step("detach");
  const auto found = bound_.find(index);
  if (found == bound_.end())
    throw errors::not_bound("detach", index);
  if (const auto busy = busy_.find(index); busy != busy_.end())
    throw errors::busy("detach", index, busy->second);
  const LoopDevice device = found->second;
  bound_.erase(found);
  if (on_unbound)
    on_unbound(device);
}

void FakeLoopDevices::refresh_size(std::uint32_t index) {
  calls_.push_back("refresh-size " + std::to_string(index));
  step("refresh-size");
  const auto found = bound_.find(index);
  if (found == bound_.end())
    throw errors::not_bound("refresh the size of", index);
  const auto file = paths_.find(found->second.backing.file);
  if (on_resized && file != paths_.end())
    on_resized(found->second, file->second.size);
}

std::optional<LoopBacking> FakeLoopDevices::backing_of_path(const std::string& path,
                                                            const LoopSettings& settings) const {
  require_absolute("backing file", path);
  const auto found = paths_.find(path);
  if (found == paths_.end())
    return std::nullopt;
  if (found->second.kind == Kind::Symlink)
    throw errors::symbolic_link("backing file", path);
  if (found->second.kind == Kind::Directory)
    throw errors::not_attachable("backing file", path, "is a directory");
  return LoopBacking{path,
                     found->second.file_device,
                     found->second.inode,
                     settings.offset,
                     settings.size_limit,
                     settings.read_only};
}

}  // namespace mapperd
