#pragma once

#include <map>
#include <set>
#include <string>

#include "fakes/fake_loop_devices.h"
#include "interfaces/cow_files.h"
#include "model/error.h"

namespace mapperd {

// An in-memory CowFiles for the engine's tests (CowFileDirectory itself runs on a real file
// system in its own test). Files it makes are made in `loops` too, so they can be attached.
class FakeCowFiles final : public CowFiles {
 public:
  explicit FakeCowFiles(FakeLoopDevices& loops) : loops_(loops) {}

  // --- the test's hands ---
  // Bytes free where the files live.
  std::uint64_t room = std::uint64_t{1} << 40;
  // Origins whose device holds the directory's file system.
  std::set<DeviceNumber> file_system_on{};
  const std::map<std::string, std::uint64_t>& files() const { return files_; }
  void add_orphan(const std::string& uuid, std::uint64_t bytes) { files_[path_for(uuid)] = bytes; }

  // --- CowFiles ---
  std::string path_for(const std::string& snapshot_uuid) const override {
    return "/var/lib/mapperd/cow/" + snapshot_uuid + ".cow";
  }
  std::optional<std::string> owner_of(const std::string& path) const override {
    const std::string directory = "/var/lib/mapperd/cow/";
    if (!path.starts_with(directory + "MAPPERD-") || !path.ends_with(".cow"))
      return std::nullopt;
    return path.substr(directory.size(), path.size() - directory.size() - 4);
  }
  std::string make(const std::string& snapshot_uuid, std::uint64_t bytes,
                   DeviceNumber origin) override {
    if (file_system_on.contains(origin))
      throw Error(ErrorKind::InvalidArgument,
                  "make a COW file: its file system lives on the origin");
    if (bytes > room)
      throw Error(ErrorKind::Failed, "make a COW file: no room");
    const std::string path = path_for(snapshot_uuid);
    if (files_.contains(path))
      throw Error(ErrorKind::AlreadyExists, "make " + path + ": exists");
    files_[path] = bytes;
    room -= bytes;
    loops_.add_file(path, bytes);
    return path;
  }
  std::uint64_t size_of(const std::string& path) const override {
    const auto found = files_.find(path);
    if (found == files_.end())
      throw Error(ErrorKind::NotFound, "look at " + path + ": gone");
    return found->second;
  }
  void grow(const std::string& path, std::uint64_t bytes) override {
    const std::uint64_t now = size_of(path);
    if (bytes <= now)
      return;
    if (bytes - now > room)
      throw Error(ErrorKind::Failed, "grow " + path + ": no room");
    room -= bytes - now;
    files_[path] = bytes;
    loops_.resize_file(path, bytes);
  }
  void remove(const std::string& path) override {
    files_.erase(path);
    loops_.remove_path(path);
  }
  std::vector<std::string> list() const override {
    std::vector<std::string> paths;
    for (const auto& [path, bytes] : files_)
      paths.push_back(path);
    return paths;
  }

 private:
  FakeLoopDevices& loops_;
  std::map<std::string, std::uint64_t> files_;
};

}  // namespace mapperd
