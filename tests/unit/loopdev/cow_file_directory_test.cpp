// COW files on a real file system (a temporary directory), and the "lives on the origin" check
// on a sysfs tree made for the test.

#include "loopdev/cow_file_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../kernel/temp_dir.h"
#include "model/error.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr std::uint64_t kMiB = 1024 * 1024;

class ACowFileDirectory : public ::testing::Test {
 protected:
  std::filesystem::path cow() const { return root_.path() / "cow"; }
  // The device the temporary directory's file system is on, as sysfs would name it.
  DeviceNumber file_system_device() const {
    struct stat st {};
    ::stat(root_.path().c_str(), &st);
    return DeviceNumber{major(st.st_dev), minor(st.st_dev)};
  }
  // In the fake sysfs, `upper` sits on `lower` (device-mapper's "slaves").
  void stack(DeviceNumber upper, const std::string& lower_name, DeviceNumber lower) {
    sysfs_.write("dev/block/" + upper.to_string() + "/slaves/" + lower_name + "/dev",
                 lower.to_string() + "\n");
  }

  TempDir root_;
  TempDir sysfs_;
  CowFileDirectory files_{root_.path() / "cow", sysfs_.path()};
};

TEST_F(ACowFileDirectory, NamesEachFileAfterItsSnapshotAndTellsTheOwnerBack) {
  const std::string path = files_.path_for("MAPPERD-abc");
  EXPECT_EQ(path, (cow() / "MAPPERD-abc.cow").string());
  EXPECT_EQ(files_.owner_of(path), std::optional<std::string>("MAPPERD-abc"));
  EXPECT_EQ(files_.owner_of((cow() / "other.cow").string()), std::nullopt);
  EXPECT_EQ(files_.owner_of((cow() / "MAPPERD-abc.img").string()), std::nullopt);
  EXPECT_EQ(files_.owner_of("/srv/MAPPERD-abc.cow"), std::nullopt);
}

TEST_F(ACowFileDirectory, MakesASparseFileForRootAlone) {
  const std::string path = files_.make("MAPPERD-abc", 4 * kMiB, DeviceNumber{253, 99});
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4 * kMiB);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_LT(static_cast<std::uint64_t>(st.st_blocks) * 512, kMiB);
  EXPECT_EQ(files_.size_of(path), 4 * kMiB);
  EXPECT_THAT(files_.list(), ElementsAre(path));
}

TEST_F(ACowFileDirectory, RefusesAFileOfASnapshotThatHasOne) {
  files_.make("MAPPERD-abc", kMiB, DeviceNumber{253, 99});
  try {
    files_.make("MAPPERD-abc", kMiB, DeviceNumber{253, 99});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::AlreadyExists);
  }
}

TEST_F(ACowFileDirectory, RefusesAFileOnAFileSystemThatLivesOnTheOrigin) {
  try {
    files_.make("MAPPERD-abc", kMiB, file_system_device());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("lives on the origin"));
  }
  EXPECT_TRUE(files_.list().empty());
}

TEST_F(ACowFileDirectory, RefusesAFileOnAFileSystemStackedOnTheOrigin) {
  // The file system's device is a map over another map over the origin.
  const DeviceNumber origin{253, 7};
  stack(file_system_device(), "dm-8", DeviceNumber{253, 8});
  stack(DeviceNumber{253, 8}, "dm-7", origin);
  EXPECT_THROW(files_.make("MAPPERD-abc", kMiB, origin), Error);
  EXPECT_NO_THROW(files_.make("MAPPERD-abc", kMiB, DeviceNumber{253, 6}));
}

TEST_F(ACowFileDirectory, RefusesAFileBiggerThanTheRoomLeft) {
  try {
    files_.make("MAPPERD-abc", std::uint64_t{1} << 62, DeviceNumber{253, 99});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Failed);
    EXPECT_THAT(e.what(), HasSubstr("free"));
  }
  EXPECT_TRUE(files_.list().empty());
}

TEST_F(ACowFileDirectory, GrowsAFileButNeverPastTheRoomLeft) {
  const std::string path = files_.make("MAPPERD-abc", kMiB, DeviceNumber{253, 99});
  files_.grow(path, 2 * kMiB);
  EXPECT_EQ(files_.size_of(path), 2 * kMiB);
  files_.grow(path, kMiB);  // never shrinks
  EXPECT_EQ(files_.size_of(path), 2 * kMiB);
  EXPECT_THROW(files_.grow(path, std::uint64_t{1} << 62), Error);
  EXPECT_EQ(files_.size_of(path), 2 * kMiB);
}

TEST_F(ACowFileDirectory, RemovesAFileAndIgnoresOneThatIsGone) {
  const std::string path = files_.make("MAPPERD-abc", kMiB, DeviceNumber{253, 99});
  files_.remove(path);
  EXPECT_TRUE(files_.list().empty());
  EXPECT_NO_THROW(files_.remove(path));
  EXPECT_THROW(files_.size_of(path), Error);
}

TEST_F(ACowFileDirectory, ListsNothingBeforeItsDirectoryExists) {
  EXPECT_TRUE(files_.list().empty());
}

}  // namespace
}  // namespace mapperd
