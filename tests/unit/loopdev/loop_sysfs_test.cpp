// Loop devices as sysfs shows them, on a sysfs tree made for the test.

#include "loopdev/loop_sysfs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../kernel/temp_dir.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

TEST(ASysfsValue, LosesExactlyOneTrailingNewline) {
  EXPECT_EQ(strip_sysfs_newline("/srv/a.img\n"), "/srv/a.img");
  EXPECT_EQ(strip_sysfs_newline("/srv/ends in newline\n\n"), "/srv/ends in newline\n");
  EXPECT_EQ(strip_sysfs_newline("no newline"), "no newline");
  EXPECT_EQ(strip_sysfs_newline(""), "");
}

class ASysfsTreeWithLoopDevices : public ::testing::Test {
 protected:
  // A bound loop device as the 6.1 driver lays it out.
  void bind(const std::string& name, const std::string& dev, const std::string& backing,
            const std::string& offset = "0", const std::string& size_limit = "0",
            const std::string& autoclear = "0", const std::string& ro = "0") {
    sysfs_.write("block/" + name + "/dev", dev + "\n");
    sysfs_.write("block/" + name + "/ro", ro + "\n");
    sysfs_.write("block/" + name + "/loop/backing_file", backing + "\n");
    sysfs_.write("block/" + name + "/loop/offset", offset + "\n");
    sysfs_.write("block/" + name + "/loop/sizelimit", size_limit + "\n");
    sysfs_.write("block/" + name + "/loop/autoclear", autoclear + "\n");
    sysfs_.write("block/" + name + "/loop/partscan", "0\n");
  }
  // An unbound one: no loop/ directory.
  void make_unbound(const std::string& name, const std::string& dev) {
    sysfs_.write("block/" + name + "/dev", dev + "\n");
    sysfs_.write("block/" + name + "/ro", "0\n");
  }
  std::filesystem::path dir(const std::string& name) const {
    return sysfs_.path() / "block" / name;
  }

  testing::TempDir sysfs_;
};

TEST_F(ASysfsTreeWithLoopDevices, ShowsABoundDevicesFileAndSettings) {
  bind("loop3", "7:3", "/srv/disk one.img", "1048576", "4194304", "1", "1");
  const std::optional<LoopSysfsEntry> entry = read_loop_sysfs(dir("loop3"));
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->index, 3u);
  EXPECT_EQ(entry->number, (DeviceNumber{7, 3}));
  EXPECT_EQ(entry->backing_file, "/srv/disk one.img");
  EXPECT_EQ(entry->offset, 1048576u);
  EXPECT_EQ(entry->size_limit, 4194304u);
  EXPECT_TRUE(entry->autoclear);
  EXPECT_TRUE(entry->read_only);
  EXPECT_FALSE(entry->partscan);
}

TEST_F(ASysfsTreeWithLoopDevices, KeepsTheDeletedMarkTheKernelPrints) {
  bind("loop1", "7:1", "/tmp/gone.img (deleted)");
  EXPECT_EQ(read_loop_sysfs(dir("loop1"))->backing_file, "/tmp/gone.img (deleted)");
}

TEST_F(ASysfsTreeWithLoopDevices, CallsADeviceWithoutItsLoopDirectoryUnbound) {
  make_unbound("loop0", "7:0");
  EXPECT_EQ(read_loop_sysfs(dir("loop0")), std::nullopt);
}

TEST_F(ASysfsTreeWithLoopDevices, LeavesOutADeviceUnboundWhileItWasRead) {
  bind("loop2", "7:2", "/srv/a.img");
  std::filesystem::remove(dir("loop2") / "loop" / "offset");
  EXPECT_EQ(read_loop_sysfs(dir("loop2")), std::nullopt);
}

TEST_F(ASysfsTreeWithLoopDevices, LeavesOutValuesItCannotParse) {
  bind("loop2", "7:2", "/srv/a.img", "12x");
  bind("loop4", "seven", "/srv/b.img");
  bind("loop5", "7:5", "/srv/c.img", "0", "0", "2");
  EXPECT_EQ(read_loop_sysfs(dir("loop2")), std::nullopt);
  EXPECT_EQ(read_loop_sysfs(dir("loop4")), std::nullopt);
  EXPECT_EQ(read_loop_sysfs(dir("loop5")), std::nullopt);
}

TEST_F(ASysfsTreeWithLoopDevices, IsNotFooledByADirectoryThatIsNoLoopDevice) {
  sysfs_.write("block/sda/loop/backing_file", "/srv/a.img\n");
  EXPECT_EQ(read_loop_sysfs(dir("sda")), std::nullopt);
}

TEST_F(ASysfsTreeWithLoopDevices, ListsTheBoundOnesByIndex) {
  bind("loop10", "7:10", "/srv/ten.img");
  make_unbound("loop0", "7:0");
  bind("loop2", "7:2", "/srv/two.img");
  sysfs_.write("block/sda/dev", "8:0\n");
  EXPECT_THAT(read_bound_loops(sysfs_.path()),
              ElementsAre(Field(&LoopSysfsEntry::index, 2u), Field(&LoopSysfsEntry::index, 10u)));
}

TEST_F(ASysfsTreeWithLoopDevices, ListsNothingWithoutABlockDirectory) {
  EXPECT_THAT(read_bound_loops(sysfs_.path() / "nowhere"), IsEmpty());
}

}  // namespace
}  // namespace mapperd
