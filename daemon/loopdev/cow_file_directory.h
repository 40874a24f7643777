#pragma once

#include <filesystem>

#include "interfaces/cow_files.h"

namespace mapperd {

// CowFiles on the host's file system: `directory` (mapperd --cow-directory, by default
// /var/lib/mapperd/cow), and sysfs for what a file system's device is stacked on.
class CowFileDirectory final : public CowFiles {
 public:
  explicit CowFileDirectory(std::filesystem::path directory, std::filesystem::path sysfs = "/sys");

  std::string path_for(const std::string& snapshot_uuid) const override;
  std::optional<std::string> owner_of(const std::string& path) const override;
  std::string make(const std::string& snapshot_uuid, std::uint64_t bytes,
                   DeviceNumber origin) override;
  std::uint64_t size_of(const std::string& path) const override;
  void grow(const std::string& path, std::uint64_t bytes) override;
  void remove(const std::string& path) override;
  std::vector<std::string> list() const override;

 private:
  // Whether `device` is `origin`, or sits on it through device-mapper or md (sysfs "slaves").
  bool stacked_on(DeviceNumber device, DeviceNumber origin, int depth = 0) const;
  // Bytes free on the directory's file system, less what it keeps for root.
  std::uint64_t room() const;

  std::filesystem::path directory_;
  std::filesystem::path sysfs_;
};

}  // namespace mapperd
