// The tutorial's maps over two loop devices, tables written as the tutorial writes them:
// twoasone concatenates loop1 and loop2; halfdisk is loop1's first half, oneahalf its second half
// followed by all of loop2.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "byte_checks.h"
#include "guest_world.h"

namespace mapperd::guest {
namespace {

class TheTutorialsMaps : public AGuestTest {
 protected:
  // An odd SIZE1, so that SIZE1/2 and SIZE1-SIZE1/2 differ as the tutorial's arithmetic allows.
  TheTutorialsMaps()
      : loop1_("tutorial1", 8193 * kSectorBytes),
        loop2_("tutorial2", 12288 * kSectorBytes),
        size1_(loop1_.size().count()),  // SIZE1=$(blockdev --getsize /dev/loop1)
        size2_(loop2_.size().count()) {}

  static std::string linear_line(std::uint64_t start, std::uint64_t length,
                                 const LoopDevice& device, std::uint64_t offset) {
    return std::to_string(start) + " " + std::to_string(length) + " linear " + device.path() + " " +
           std::to_string(offset) + "\n";
  }

  LoopDevice loop1_;
  LoopDevice loop2_;
  std::uint64_t size1_;
  std::uint64_t size2_;
};

TEST_F(TheTutorialsMaps, TwoasoneIsLoop1FollowedByLoop2) {
  const std::string name = map_name("twoasone");
  // echo 0 $SIZE1 linear /dev/loop1 0 > /tmp/onedisk; echo $SIZE1 $SIZE2 linear /dev/loop2 0 >>
  const std::string onedisk =
      linear_line(0, size1_, loop1_, 0) + linear_line(size1_, size2_, loop2_, 0);
  create(name, onedisk);

  EXPECT_EQ(device_size(mapper_path(name)), Sectors(size1_ + size2_));
  expect_writes_land(mapper_path(name), "twoasone",
                     {0, 1, size1_ / 2, size1_ - 1, size1_, size1_ + 1, size1_ + size2_ - 1},
                     [&](std::uint64_t s) {
                       return s < size1_ ? Place{&loop1_, s} : Place{&loop2_, s - size1_};
                     });
}

TEST_F(TheTutorialsMaps, TwoasoneSplitsAWriteAcrossTheSeam) {
  const std::string name = map_name("twoasone");
  create(name, linear_line(0, size1_, loop1_, 0) + linear_line(size1_, size2_, loop2_, 0));

  write_device(mapper_path(name), size1_ - 2, sector_patterns("seam", size1_ - 2, 4));
  EXPECT_EQ(loop1_.read_backing(size1_ - 2, 2), sector_patterns("seam", size1_ - 2, 2));
  EXPECT_EQ(loop2_.read_backing(0, 2), sector_patterns("seam", size1_, 2));
}

TEST_F(TheTutorialsMaps, HalfdiskAndOneahalfShareLoop1WithoutOverlapping) {
  const std::string halfdisk = map_name("halfdisk");
  const std::string oneahalf = map_name("oneahalf");
  const std::uint64_t half = size1_ / 2;
  const std::uint64_t rest = size1_ - size1_ / 2;
  // echo 0 $((SIZE1/2)) linear /dev/loop1 0 > /tmp/halfdisk
  create(halfdisk, linear_line(0, half, loop1_, 0));
  // echo 0 $((SIZE1-SIZE1/2)) linear /dev/loop1 $((SIZE1/2)) > /tmp/oneahalf
  // echo $((SIZE1-SIZE1/2)) $SIZE2 linear /dev/loop2 0 >> /tmp/oneahalf
  create(oneahalf, linear_line(0, rest, loop1_, half) + linear_line(rest, size2_, loop2_, 0));

  EXPECT_EQ(device_size(mapper_path(halfdisk)), Sectors(half));
  EXPECT_EQ(device_size(mapper_path(oneahalf)), Sectors(rest + size2_));
  expect_writes_land(mapper_path(halfdisk), "halfdisk", {0, 1, half - 1}, [&](std::uint64_t s) {
    return Place{&loop1_, s};
  });
  expect_writes_land(mapper_path(oneahalf), "oneahalf",
                     {0, 1, rest - 1, rest, rest + 1, rest + size2_ - 1}, [&](std::uint64_t s) {
                       return s < rest ? Place{&loop1_, half + s} : Place{&loop2_, s - rest};
                     });
  // halfdisk's last sector and oneahalf's first are neighbours on loop1, each still its own.
  EXPECT_EQ(loop1_.read_backing(half - 1), sector_pattern("halfdisk", half - 1));
  EXPECT_EQ(loop1_.read_backing(half), sector_pattern("oneahalf", 0));
}

TEST_F(TheTutorialsMaps, AreGoneFromDevMapperOnceRemoved) {
  const std::string name = map_name("twoasone");
  create(name, linear_line(0, size1_, loop1_, 0) + linear_line(size1_, size2_, loop2_, 0));
  ASSERT_TRUE(std::filesystem::exists(mapper_path(name)));
  backend().remove(name);  // dmsetup remove twoasone
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(mapper_path(name))));
  EXPECT_EQ(backend().info(name), std::nullopt);
}

}  // namespace
}  // namespace mapperd::guest
