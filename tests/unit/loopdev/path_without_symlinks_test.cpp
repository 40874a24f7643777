// Both ways of reaching a stored backing file without a symbolic link: openat2 (this kernel
// has it) and the component walk kernels before 5.6 fall back to, which must agree with it.
#include "loopdev/path_without_symlinks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace mapperd {
namespace {

namespace fs = std::filesystem;

class ADirectoryTree : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "mapperd-nosymlink-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    fs::create_directory(root_ / "real");
    std::ofstream(root_ / "real" / "disk.img") << "backing";
    fs::create_directory_symlink(root_ / "real", root_ / "linked-dir");
    fs::create_symlink(root_ / "real" / "disk.img", root_ / "real" / "linked.img");
  }
  void TearDown() override { fs::remove_all(root_); }

  // The inode `fd` names, closing it; 0 when it is -1.
  static ino_t inode_of(int fd) {
    if (fd < 0)
      return 0;
    struct stat st {};
    EXPECT_EQ(::fstat(fd, &st), 0);
    ::close(fd);
    return st.st_ino;
  }

  fs::path root_;
};

using Opener = int (*)(const std::string&);

class EachWay : public ADirectoryTree, public ::testing::WithParamInterface<Opener> {};

TEST_P(EachWay, ReachesAFileWhosePathHasNoLink) {
  const fs::path file = root_ / "real" / "disk.img";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(inode_of(GetParam()(file.string())), st.st_ino);
}

TEST_P(EachWay, RefusesALinkedParentDirectoryWithELOOP) {
  errno = 0;
  const int fd = GetParam()((root_ / "linked-dir" / "disk.img").string());
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, ELOOP);
}

TEST_P(EachWay, RefusesALinkAsTheLastComponentWithELOOP) {
  errno = 0;
  const int fd = GetParam()((root_ / "real" / "linked.img").string());
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, ELOOP);
}

TEST_P(EachWay, SaysENOENTForAMissingFile) {
  errno = 0;
  const int fd = GetParam()((root_ / "real" / "gone.img").string());
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, ENOENT);
}

INSTANTIATE_TEST_SUITE_P(OpenAt2AndTheWalk, EachWay,
                         ::testing::Values(&open_path_without_symlinks,
                                           &walk_path_without_symlinks));

TEST_F(ADirectoryTree, TheWalkRefusesARelativePath) {
  errno = 0;
  EXPECT_EQ(walk_path_without_symlinks("real/disk.img"), -1);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
}  // namespace mapperd
