// A device's identity from udev's properties, on plain values.

#include "udev/udev_identity.h"

#include <gtest/gtest.h>

namespace mapperd {
namespace {

TEST(ADevlinksValue, GivesItsFirstByIdLinkInByteOrder) {
  EXPECT_EQ(first_by_id_link("/dev/disk/by-path/pci-0000:00:05.0 "
                             "/dev/disk/by-id/wwn-0x5333333000001f40 "
                             "/dev/disk/by-id/scsi-SLinux_scsi_debug_2000 "
                             "/dev/disk/by-id/scsi-35333333000001f40"),
            "/dev/disk/by-id/scsi-35333333000001f40");
}

TEST(ADevlinksValue, MayHaveNoByIdLink) {
  EXPECT_EQ(first_by_id_link("/dev/disk/by-path/virtio-pci-0000:00:04.0 /dev/disk/by-uuid/1234"),
            "");
  EXPECT_EQ(first_by_id_link(""), "");
  EXPECT_EQ(first_by_id_link("/dev/disk/by-id/"), "");
  EXPECT_EQ(first_by_id_link("/dev/disk/by-idx/a"), "");
}

TEST(ADevlinksValue, ToleratesExtraSpaces) {
  EXPECT_EQ(first_by_id_link("  /dev/disk/by-id/virtio-data  "), "/dev/disk/by-id/virtio-data");
}

TEST(UdevsFacts, GiveADisksIdentity) {
  const UdevDeviceFacts facts{{8, 17},
                              "/dev/sdb1",
                              {{"ID_WWN", "0x5333333000001f40"},
                               {"ID_SERIAL", "35333333000001f40"},
                               {"ID_PART_ENTRY_UUID", "0f4e8c1a-01"},
                               {"DEVLINKS",
                                "/dev/disk/by-id/wwn-0x5333333000001f40-part1 "
                                "/dev/disk/by-id/scsi-35333333000001f40-part1"},
                               {"ID_FS_UUID", "ignored"}}};
  DeviceIdentity expected;
  expected.number = {8, 17};
  expected.path = "/dev/sdb1";
  expected.wwn = "0x5333333000001f40";
  expected.serial = "35333333000001f40";
  expected.partition_uuid = "0f4e8c1a-01";
  expected.by_id = "/dev/disk/by-id/scsi-35333333000001f40-part1";
  EXPECT_EQ(identity_from_udev(facts), expected);
}

TEST(UdevsFacts, PreferTheWwnWithItsExtension) {
  const UdevDeviceFacts facts{{8, 0},
                              "/dev/sda",
                              {{"ID_WWN", "0x600a0b80001"},
                               {"ID_WWN_WITH_EXTENSION", "0x600a0b800012345600000000abcdef01"}}};
  EXPECT_EQ(identity_from_udev(facts).wwn, "0x600a0b800012345600000000abcdef01");
}

TEST(UdevsFacts, OfALoopDeviceAreNotStableByThemselves) {
  const DeviceIdentity identity = identity_from_udev({{7, 0}, "/dev/loop0", {}});
  EXPECT_EQ(identity.path, "/dev/loop0");
  EXPECT_FALSE(identity.stable());
}

}  // namespace
}  // namespace mapperd
