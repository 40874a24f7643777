// Which device an identity names now (best_match, model/device_matching.h), over plain
// candidate identities, and the fake directory built on it.

#include "model/device_matching.h"

#include <gtest/gtest.h>

#include "fakes/expect_error.h"
#include "fakes/fake_device_directory.h"

namespace mapperd {
namespace {

DeviceIdentity device(DeviceNumber number, std::string path) {
  DeviceIdentity identity;
  identity.number = number;
  identity.path = std::move(path);
  return identity;
}

DeviceIdentity disk(DeviceNumber number, std::string wwn, std::string serial,
                    std::string partition_uuid = {}, std::string by_id = {}) {
  DeviceIdentity identity = device(number, "/dev/sd?");
  identity.wwn = std::move(wwn);
  identity.serial = std::move(serial);
  identity.partition_uuid = std::move(partition_uuid);
  identity.by_id = std::move(by_id);
  return identity;
}

DeviceIdentity loop(std::uint32_t index, std::uint64_t inode, std::uint64_t offset = 0,
                    std::uint64_t size_limit = 0, bool read_only = false) {
  DeviceIdentity identity = device({7, index}, "/dev/loop" + std::to_string(index));
  identity.loop = LoopBacking{"/srv/a.img", {8, 1}, inode, offset, size_limit, read_only};
  return identity;
}

DeviceIdentity map(std::uint32_t minor, std::string uuid) {
  DeviceIdentity identity = device({253, minor}, "/dev/dm-" + std::to_string(minor));
  identity.map_uuid = std::move(uuid);
  return identity;
}

// A wanted identity as stored earlier, at another number.
DeviceIdentity was(DeviceIdentity identity) {
  identity.number = {99, 99};
  identity.path = "/dev/old";
  return identity;
}

TEST(ALoopBinding, FindsTheLoopDeviceShowingTheSameFileFromTheSameOffset) {
  const std::vector<DeviceIdentity> now = {loop(0, 11), loop(1, 12, 4096), loop(2, 12)};
  EXPECT_EQ(best_match(was(loop(5, 12)), now), (DeviceNumber{7, 2}));
  EXPECT_EQ(best_match(was(loop(5, 12, 4096)), now), (DeviceNumber{7, 1}));
  EXPECT_EQ(best_match(was(loop(5, 13)), now), std::nullopt);
}

TEST(ALoopBinding, IsNotFooledByTheSamePathOnAnotherFilesystem) {
  DeviceIdentity elsewhere = loop(0, 12);
  elsewhere.loop->file_device = {8, 2};
  EXPECT_EQ(best_match(was(loop(5, 12)), {elsewhere}), std::nullopt);
}

TEST(ALoopBinding, PrefersTheSameSettingsThenTheLowerNumberAmongTwins) {
  EXPECT_EQ(best_match(was(loop(5, 12, 0, 0, true)), {loop(3, 12), loop(4, 12, 0, 0, true)}),
            (DeviceNumber{7, 4}));
  EXPECT_EQ(best_match(was(loop(5, 12)), {loop(4, 12), loop(3, 12)}), (DeviceNumber{7, 3}));
}

TEST(AMapUuid, FindsTheMapWhateverItsMinor) {
  EXPECT_EQ(best_match(was(map(0, "MAPPERD-a")), {map(0, "MAPPERD-b"), map(1, "MAPPERD-a")}),
            (DeviceNumber{253, 1}));
}

TEST(AWwn, FindsTheDiskAndNotItsPartitions) {
  const std::vector<DeviceIdentity> now = {
      disk({8, 17}, "0x5", "S", "p1"), disk({8, 16}, "0x5", "S"), disk({8, 18}, "0x5", "S", "p2")};
  EXPECT_EQ(best_match(was(disk({8, 0}, "0x5", "S")), now), (DeviceNumber{8, 16}));
  EXPECT_EQ(best_match(was(disk({8, 1}, "0x5", "S", "p2")), now), (DeviceNumber{8, 18}));
}

TEST(AWwn, OfAnotherDiskRulesItOutEvenWhenTheSerialFits) {
  // Two disks of a cheap batch with one serial: the WWN tells them apart.
  EXPECT_EQ(best_match(was(disk({8, 0}, "0x5", "S")), {disk({8, 16}, "0x6", "S")}), std::nullopt);
}

TEST(AMissingWwn, LeavesTheWeakerKeysToDecide) {
  // The same disk in an enclosure that hides its WWN.
  EXPECT_EQ(best_match(was(disk({8, 1}, "0x5", "S", "p1")), {disk({8, 33}, "", "X", "p1")}),
            (DeviceNumber{8, 33}));
  EXPECT_EQ(best_match(was(disk({8, 0}, "0x5", "S")), {disk({8, 32}, "", "S")}),
            (DeviceNumber{8, 32}));
}

TEST(APartitionUuid, FindsThePartitionOnAnyDisk) {
  EXPECT_EQ(best_match(was(disk({8, 1}, "", "", "p1")),
                       {disk({8, 17}, "", "", "p0"), disk({8, 33}, "", "", "p1")}),
            (DeviceNumber{8, 33}));
}

TEST(APartitionUuid, ThatTwoDevicesShareFindsNothing) {
  // A disk cloned with dd: guessing would put the map on the wrong copy.
  EXPECT_EQ(best_match(was(disk({8, 1}, "", "", "p1")),
                       {disk({8, 17}, "", "", "p1"), disk({8, 33}, "", "", "p1")}),
            std::nullopt);
}

TEST(ASerial, FindsTheDiskAndNotItsPartitions) {
  EXPECT_EQ(best_match(was(disk({8, 0}, "", "S")),
                       {disk({8, 17}, "", "S", "p1"), disk({8, 16}, "", "S")}),
            (DeviceNumber{8, 16}));
}

TEST(ASerial, SharedByTwoDisksFindsNothing) {
  // The two paths of a multipath disk.
  EXPECT_EQ(
      best_match(was(disk({8, 0}, "", "S")), {disk({8, 16}, "", "S"), disk({8, 32}, "", "S")}),
      std::nullopt);
}

TEST(AByIdLink, IsTheLastResort) {
  EXPECT_EQ(best_match(was(disk({8, 0}, "", "", "", "/dev/disk/by-id/virtio-data")),
                       {disk({252, 0}, "", "", "", "/dev/disk/by-id/virtio-data")}),
            (DeviceNumber{252, 0}));
}

TEST(AnUnstableIdentity, FindsTheSameNumberIfItIsThere) {
  const DeviceIdentity plain = device({7, 1}, "/dev/loop1");
  EXPECT_EQ(best_match(plain, {device({7, 1}, "/dev/loop1")}), (DeviceNumber{7, 1}));
  EXPECT_EQ(best_match(plain, {device({7, 2}, "/dev/loop2")}), std::nullopt);
}

TEST(AStableIdentity, DoesNotFallBackToItsOldNumber) {
  EXPECT_EQ(best_match(loop(1, 12), {loop(1, 13)}), std::nullopt);
}

TEST(AFakeDeviceDirectory, IdentifiesAndLocatesWhatTheTestAdded) {
  FakeDeviceDirectory directory;
  directory.add(loop(3, 12));
  EXPECT_EQ(directory.identify({7, 3}), loop(3, 12));
  EXPECT_EQ(directory.locate(was(loop(0, 12))), (DeviceNumber{7, 3}));
  directory.remove({7, 3});
  EXPECT_EQ(directory.locate(was(loop(0, 12))), std::nullopt);
  error_of(ErrorKind::DeviceMissing, [&] { directory.identify({7, 3}); });
}

}  // namespace
}  // namespace mapperd
