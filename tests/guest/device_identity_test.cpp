// UdevDeviceDirectory and BlockDeviceEvents on the real kernel and the real udev: what a loop
// device, a map and a SCSI disk are, finding them again at other numbers, and the events that
// say when they come and go.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "block_io.h"
#include "fakes/expect_error.h"
#include "loop_test_support.h"
#include "udev/udev_device_directory.h"

namespace mapperd::guest {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Action = BlockDeviceEvent::Action;

// `identity` as if stored earlier, when the device had another number.
DeviceIdentity stored(DeviceIdentity identity) {
  identity.number = {7, 255};
  identity.path = "/dev/loop255";
  return identity;
}

auto event_is(Action action, DeviceNumber number) {
  return [action, number](const BlockDeviceEvent& event) {
    return event.action == action && event.number == number;
  };
}

class DeviceIdentitiesFromUdev : public ALoopDeviceTest {
 protected:
  UdevDeviceDirectory directory_{loops_};
};

TEST_F(DeviceIdentitiesFromUdev, OfALoopDeviceAreItsFileAndInode) {
  BackingFile file("identity", 2048);
  const mapperd::LoopDevice device = attach_file(file.path(), {.offset = 512});
  const DeviceIdentity identity = directory_.identify(device.number);
  EXPECT_EQ(identity.number, device.number);
  EXPECT_EQ(identity.path, device.path);
  ASSERT_TRUE(identity.loop.has_value());
  EXPECT_EQ(*identity.loop, device.backing);
  EXPECT_TRUE(identity.stable());
  EXPECT_EQ(directory_.locate(stored(identity)), device.number);
}

TEST_F(DeviceIdentitiesFromUdev, FindTheSameFileAfterItIsBoundToAnotherLoopDevice) {
  BackingFile first("first", 2048);
  BackingFile second("second", 2048);
  const mapperd::LoopDevice before = attach_file(first.path());
  const DeviceIdentity identity = directory_.identify(before.number);
  detach_when_idle(before.index);
  EXPECT_EQ(directory_.locate(identity), std::nullopt) << "the file is bound nowhere now";

  // The free device the first file had goes to the second one; the first comes back elsewhere.
  const mapperd::LoopDevice other = attach_file(second.path());
  const Reattachment again = loops_.reattach(identity.loop.value());
  remember(again.device);
  EXPECT_FALSE(again.reused);
  EXPECT_NE(again.device.number, before.number) << "the test meant the number to change";
  EXPECT_EQ(directory_.locate(identity), again.device.number);
  EXPECT_NE(directory_.locate(identity), other.number);
}

TEST_F(DeviceIdentitiesFromUdev, OfAMapAreItsUuid) {
  BackingFile file("under-map", 2048);
  const mapperd::LoopDevice device = attach_file(file.path());
  const MapInfo map = create(map_name("identity"), "0 1024 linear " + device.path + " 0\n");
  const DeviceIdentity identity = directory_.identify(map.device);
  EXPECT_EQ(identity.map_uuid, map.uuid);
  EXPECT_EQ(identity.path, "/dev/dm-" + std::to_string(map.device.minor));
  EXPECT_FALSE(identity.loop.has_value());
  DeviceIdentity elsewhere = identity;
  elsewhere.number = {253, 250};
  EXPECT_EQ(directory_.locate(elsewhere), map.device);
  backend().remove(map.name);
  EXPECT_EQ(directory_.locate(elsewhere), std::nullopt);
}

TEST_F(DeviceIdentitiesFromUdev, OfADeviceThatIsNotThereAreNone) {
  EXPECT_THAT(error_of(ErrorKind::DeviceMissing,
                       [&] {
                         directory_.identify({7, 250});
                       }),
              HasSubstr("identify 7:250: no such block device"));
}

TEST_F(DeviceIdentitiesFromUdev, OfAnUnstableDeviceFindItsNumberOnly) {
  DeviceIdentity plain;
  plain.number = GuestWorld::get().disk(0).number();
  plain.path = GuestWorld::get().disk(0).path();
  // The suite's disks are bound loop devices: identified by their file, not by number alone.
  EXPECT_TRUE(directory_.identify(plain.number).stable());
  EXPECT_EQ(directory_.locate(plain), plain.number);
  plain.number = {7, 250};
  EXPECT_EQ(directory_.locate(plain), std::nullopt);
}

TEST_F(DeviceIdentitiesFromUdev, EnumerateEveryInitialisedBlockDevice) {
  const std::vector<DeviceIdentity> all = directory_.enumerate();
  const DeviceNumber disk = GuestWorld::get().disk(1).number();
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [&](const DeviceIdentity& identity) {
    return identity.number == disk && identity.loop.has_value();
  }));
}

// A SCSI disk from scsi_debug: udev gives it a serial, a WWN and by-id links.
class DeviceIdentitiesOfAScsiDisk : public DeviceIdentitiesFromUdev {
 protected:
  void TearDown() override {
    DeviceIdentitiesFromUdev::TearDown();
    if (loaded_) {
      settle_udev();
      const CommandResult removed = run_command("modprobe -r scsi_debug 2>&1");
      EXPECT_EQ(removed.status, 0) << removed.output;
    }
  }

  bool loaded_ = false;
};

TEST_F(DeviceIdentitiesOfAScsiDisk, AreItsSerialAndWwn) {
  BlockDeviceEvents events;  // before the disk appears
  const CommandResult loaded = run_command("modprobe scsi_debug dev_size_mb=8 2>&1");
  if (loaded.status != 0)
    GTEST_SKIP() << "modprobe scsi_debug failed: " << loaded.output;
  loaded_ = true;
  const std::vector<BlockDeviceEvent> seen = wait_for_event(events, [](const BlockDeviceEvent& e) {
    return e.action == Action::Appeared && e.path.starts_with("/dev/sd");
  });
  ASSERT_FALSE(seen.empty());
  const BlockDeviceEvent disk = seen.back();
  ASSERT_THAT(disk.path, StartsWith("/dev/sd"));

  const DeviceIdentity identity = directory_.identify(disk.number);
  std::cout << "scsi_debug disk " << disk.path << ": serial '" << identity.serial << "', wwn '"
            << identity.wwn << "', by-id '" << identity.by_id << "'\n";
  EXPECT_EQ(identity.path, disk.path);
  EXPECT_FALSE(identity.serial.empty());
  EXPECT_FALSE(identity.wwn.empty());
  EXPECT_THAT(identity.by_id, StartsWith("/dev/disk/by-id/"));
  EXPECT_TRUE(identity.partition_uuid.empty());
  DeviceIdentity elsewhere = identity;
  elsewhere.number = {8, 240};
  elsewhere.path = "/dev/sdp";
  EXPECT_EQ(directory_.locate(elsewhere), disk.number);
  // By serial alone, as when a disk's enclosure hides its WWN.
  elsewhere.wwn.clear();
  elsewhere.by_id.clear();
  EXPECT_EQ(directory_.locate(elsewhere), disk.number);
}

class DeviceEventsFromUdev : public ALoopDeviceTest {};

TEST_F(DeviceEventsFromUdev, SayALoopDeviceAppearedOnlyOnceItsFileIsBound) {
  BlockDeviceEvents events;  // first, then look at what is there
  BackingFile witness_file("events-witness", 2048);
  const mapperd::LoopDevice witness = attach_file(witness_file.path());
  wait_for_event(events, event_is(Action::Appeared, witness.number));
  BackingFile file("events", 2048);
  // A free loop device's `add`, as when it is made, is no Appeared.
  const CommandResult free = run_command("losetup --find 2>&1");
  ASSERT_EQ(free.status, 0) << free.output;
  const std::string free_path = free.output.substr(0, free.output.find('\n'));
  const std::string sysname = std::filesystem::path(free_path).filename().string();
  const CommandResult triggered =
      run_command("udevadm trigger --settle --action=add /sys/class/block/" + sysname + " 2>&1");
  ASSERT_EQ(triggered.status, 0) << triggered.output;
  // udev broadcasts in the order it finishes: once the witness's later `change` is seen, the
  // free device's `add` has been read too, so its absence below is not an event still on its way.
  const CommandResult witnessed =
      run_command("udevadm trigger --settle --action=change " + witness.path + " 2>&1");
  ASSERT_EQ(witnessed.status, 0) << witnessed.output;
  // A bound loop's later `change` is Changed (it was Appeared when it was bound, above).
  const std::vector<BlockDeviceEvent> before =
      wait_for_event(events, event_is(Action::Changed, witness.number));
  ASSERT_FALSE(before.empty());
  ASSERT_TRUE(event_is(Action::Changed, witness.number)(before.back())) << describe(before);
  for (const BlockDeviceEvent& event : before) {
    EXPECT_FALSE(event.action == Action::Appeared && event.path == free_path) << describe(event);
  }

  const mapperd::LoopDevice device = attach_file(file.path());
  const std::vector<BlockDeviceEvent> bound =
      wait_for_event(events, event_is(Action::Appeared, device.number));
  ASSERT_FALSE(bound.empty());
  EXPECT_TRUE(bound.back().is_loop);
  EXPECT_TRUE(bound.back().loop_bound);
  EXPECT_EQ(bound.back().path, device.path);

  detach_when_idle(device.index);
  const std::vector<BlockDeviceEvent> unbound =
      wait_for_event(events, event_is(Action::Vanished, device.number));
  ASSERT_FALSE(unbound.empty());
  EXPECT_FALSE(unbound.back().loop_bound);
  for (const BlockDeviceEvent& event : unbound) {
    EXPECT_FALSE(event.action == Action::Appeared && event.number == device.number)
        << "after the detach: " << describe(unbound);
  }
}

TEST_F(DeviceEventsFromUdev, SayAMapAppearedWithItsTableAndVanishedWhenRemoved) {
  BlockDeviceEvents events;
  BackingFile file("map-events", 2048);
  const mapperd::LoopDevice device = attach_file(file.path());
  const MapInfo map = create(map_name("events"), "0 1024 linear " + device.path + " 0\n");
  const std::vector<BlockDeviceEvent> made =
      wait_for_event(events, event_is(Action::Appeared, map.device));
  ASSERT_FALSE(made.empty());
  ASSERT_TRUE(event_is(Action::Appeared, map.device)(made.back())) << describe(made);
  EXPECT_FALSE(made.back().is_loop);
  EXPECT_EQ(made.back().path, "/dev/dm-" + std::to_string(map.device.minor));
  // Appeared means usable: the table is loaded when the event is read, not only later.
  const CommandResult table = run_command("dmsetup table " + map.name + " 2>&1");
  ASSERT_EQ(table.status, 0) << table.output;
  EXPECT_EQ(table.output, "0 1024 linear " + device.number.to_string() + " 0\n");
  backend().remove(map.name);
  const std::vector<BlockDeviceEvent> gone =
      wait_for_event(events, event_is(Action::Vanished, map.device));
  ASSERT_FALSE(gone.empty());
  EXPECT_TRUE(event_is(Action::Vanished, map.device)(gone.back())) << describe(gone);
}

TEST_F(DeviceEventsFromUdev, ReportNoOverflowInOrdinaryTraffic) {
  BlockDeviceEvents events;
  run_command("udevadm trigger --settle --subsystem-match=block --action=change 2>&1");
  const BlockDeviceEventBatch batch = events.drain();
  EXPECT_FALSE(batch.overflowed);
  EXPECT_FALSE(batch.events.empty());
}

}  // namespace
}  // namespace mapperd::guest
