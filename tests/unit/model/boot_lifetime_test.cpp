// Which backing files a reboot takes away, and the warning a persistent loop on one gets
// (model/boot_lifetime.h).

#include "model/boot_lifetime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ADirectoryEmptiedAtBoot, IsTmpRunOrDevShm) {
  EXPECT_EQ(directory_emptied_at_boot("/tmp/disk.img"), "/tmp");
  EXPECT_EQ(directory_emptied_at_boot("/tmp/a/b/disk.img"), "/tmp");
  EXPECT_EQ(directory_emptied_at_boot("/run/user/1000/disk.img"), "/run");
  EXPECT_EQ(directory_emptied_at_boot("/dev/shm/disk.img"), "/dev/shm");
}

TEST(ADirectoryEmptiedAtBoot, IsNotOneThatKeepsItsFiles) {
  for (const char* path : {"/var/tmp/disk.img", "/home/alice/disk.img", "/srv/disk.img",
                           "/tmpdata/disk.img", "/running/disk.img", "/dev/shmem/disk.img",
                           "/var/lib/tmp/disk.img", "/tmp", "/"}) {
    EXPECT_EQ(directory_emptied_at_boot(path), std::nullopt) << path;
  }
}

TEST(APersistentLoopOnAFileInTmp, IsWarnedItWillNotComeBackAfterAReboot) {
  EXPECT_THAT(loop_boot_warnings("/tmp/disk.img", true),
              ElementsAre(AllOf(HasSubstr("/tmp/disk.img is in /tmp"),
                                HasSubstr("will not be attached again at the next boot"),
                                HasSubstr("--not-persistent"))));
  EXPECT_THAT(loop_boot_warnings("/dev/shm/x", true), ElementsAre(HasSubstr("is in /dev/shm")));
}

TEST(ALoopThatIsNotPersistent, IsNotWarnedWhereverItsFileIs) {
  EXPECT_THAT(loop_boot_warnings("/tmp/disk.img", false), IsEmpty());
}

TEST(APersistentLoopOnAFileThatStays, IsNotWarned) {
  EXPECT_THAT(loop_boot_warnings("/home/alice/disk.img", true), IsEmpty());
  EXPECT_THAT(loop_boot_warnings("/var/tmp/disk.img", true), IsEmpty());
}

}  // namespace
}  // namespace mapperd
