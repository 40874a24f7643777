// Stored maps through the engine: what is written, what comes back after a reboot or a daemon
// restart, maps that wait for their devices, and state files that cannot be read.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "persistence_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr DeviceNumber kDiskA{8, 16};
constexpr DeviceNumber kDiskB{8, 32};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class AStoredMap : public PersistenceFixture {
 protected:
  void SetUp() override {
    plug_disk(kDiskA, "DISK-A");
    plug_disk(kDiskB, "DISK-B");
    start();
  }
  std::filesystem::path map_file(const std::string& name) const {
    return state_dir() / "maps" / (name + ".json");
  }
};

TEST_F(AStoredMap, IsWrittenWithItsTableAndTheIdentityOfEveryDevice) {
  const MapRecord map = create({.name = "twoasone",
                                .table = "0 4096 linear /dev/disk16 0\n"
                                         "4096 4096 linear 8:32 0\n",
                                .caller_uid = 1000});
  EXPECT_TRUE(map.persistent);
  EXPECT_EQ(map.created_by_uid, 1000u);
  const std::string text = read_file(map_file("twoasone"));
  EXPECT_THAT(text, HasSubstr("linear /dev/disk16 0"));
  EXPECT_THAT(text, HasSubstr("DISK-A"));
  EXPECT_THAT(text, HasSubstr("DISK-B"));
  EXPECT_THAT(text, HasSubstr(map.uuid));
}

// Saved and then removed in one job: the main thread must not keep the definition, or the next
// restore pass makes the map again (seen in the guest before StoreWriter netted its delta out).
TEST_F(AStoredMap, IsNeitherKeptNorMadeAgainWhenItsBatchIsRolledBack) {
  on_kernel([](FakeKernelBackend& fake) {
    fake.create(CreateRequest{
        .name = "taken", .uuid = "LVM-taken", .table = {{Sectors(0), Sectors(8), "zero", ""}}});
  });
  std::optional<Outcome<CreatedMaps>> created;
  engine().create_maps(
      {{.name = "first", .table = "0 8 zero\n"}, {.name = "taken", .table = "0 8 zero\n"}}, false,
      into(created));
  EXPECT_FALSE(wait_for(created).ok());
  EXPECT_FALSE(std::filesystem::exists(map_file("first")));
  for (const DefinitionStatus& definition : engine().definitions())
    EXPECT_NE(definition.name, "first");
  restore_now();
  EXPECT_THAT(kernel_map_names(), Not(Contains("first")));
  EXPECT_EQ(engine().catalog().find("first"), nullptr);
}

TEST_F(AStoredMap, IsNotWrittenWhenNotPersistent) {
  const MapRecord map =
      create({.name = "scratch", .table = "0 8 zero\n", .persistent = false, .caller_uid = 7});
  EXPECT_FALSE(map.persistent);
  EXPECT_FALSE(std::filesystem::exists(map_file("scratch")));
}

TEST_F(AStoredMap, KeepsItsOwnerAndPersistenceAcrossADaemonRestart) {
  create({.name = "kept", .table = "0 8 zero\n", .caller_uid = 1000});
  create({.name = "scratch", .table = "0 8 zero\n", .persistent = false, .caller_uid = 7});
  restart_daemon();
  start();
  const MapRecord* kept = engine().catalog().find("kept");
  const MapRecord* scratch = engine().catalog().find("scratch");
  ASSERT_NE(kept, nullptr);
  ASSERT_NE(scratch, nullptr);
  EXPECT_TRUE(kept->persistent);
  EXPECT_EQ(kept->created_by_uid, 1000u);
  EXPECT_FALSE(scratch->persistent);
  EXPECT_EQ(scratch->created_by_uid, 7u);
  EXPECT_THAT(reports_.back().created, IsEmpty()) << "a restart adopts, never recreates";
}

TEST_F(AStoredMap, ComesBackAfterARebootOnTheDevicesNewNumbers) {
  create({.name = "twoasone", .table = "0 4096 linear 8:16 0\n4096 4096 linear 8:32 0\n"});
  reboot();
  // The disks come back the other way round.
  unplug(kDiskA);
  unplug(kDiskB);
  plug_disk(DeviceNumber{8, 48}, "DISK-B");
  plug_disk(DeviceNumber{8, 64}, "DISK-A");
  start();
  EXPECT_THAT(kernel_map_names(), Contains("twoasone"));
  EXPECT_EQ(kernel_table("twoasone"), "0 4096 linear 8:64 0\n4096 4096 linear 8:48 0\n");
  EXPECT_THAT(reports_.back().created, ElementsAre("twoasone"));
  EXPECT_EQ(engine().catalog().find("twoasone")->state, MapState::Active);
}

TEST_F(AStoredMap, WaitsForAMissingDeviceAndComesUpWhenItAppears) {
  create({.name = "late", .table = "0 4096 linear 8:16 0\n"});
  reboot();
  unplug(kDiskA);
  start();
  const MapRecord* pending = engine().catalog().find("late");
  ASSERT_NE(pending, nullptr);
  EXPECT_EQ(pending->state, MapState::Pending);
  ASSERT_EQ(pending->missing_devices.size(), 1u);
  EXPECT_THAT(pending->missing_devices[0], HasSubstr("DISK-A"));
  EXPECT_THAT(observer().events, Contains("added late"));
  EXPECT_THAT(kernel_map_names(), Not(Contains("late")));

  plug_disk(DeviceNumber{8, 80}, "DISK-A");
  restore_now();
  EXPECT_EQ(engine().catalog().find("late")->state, MapState::Active);
  EXPECT_THAT(observer().events,
              Contains("changed late: Device Table State Dependencies MissingDevices"));
  EXPECT_EQ(kernel_table("late"), "0 4096 linear 8:80 0\n");
}

TEST_F(AStoredMap, CanBeDefinedBeforeItsDevicesExist) {
  const MapRecord map = create({.name = "byid",
                                .table = "0 4096 linear /dev/disk/by-id/usb-LATE 0\n",
                                .wait_for_devices = true});
  EXPECT_EQ(map.state, MapState::Pending);
  EXPECT_TRUE(std::filesystem::exists(map_file("byid")));
  EXPECT_THAT(kernel_map_names(), Not(Contains("byid")));
  const std::vector<DefinitionStatus> statuses = engine().definitions();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].state, "pending");
}

TEST_F(AStoredMap, ThatWaitsForItsDevicesCannotBeSuspendedResumedOrReloaded) {
  create({.name = "byid",
          .table = "0 4096 linear /dev/disk/by-id/usb-LATE 0\n",
          .wait_for_devices = true});
  std::optional<Outcome<Done>> suspended, resumed, reloaded;
  engine().suspend_map("byid", false, into(suspended));
  engine().resume_map("byid", into(resumed));
  engine().reload_map("byid", "0 8 zero\n", into(reloaded));
  for (const auto* outcome : {&suspended, &resumed, &reloaded}) {
    const Outcome<Done>& done = wait_for(*outcome);
    ASSERT_FALSE(done.ok());
    try {
      std::rethrow_exception(done.error());
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::DeviceMissing);
      EXPECT_THAT(e.what(), HasSubstr("stored but not running"));
    }
  }
  EXPECT_EQ(engine().catalog().find("byid")->state, MapState::Pending);
}

TEST_F(AStoredMap, LosesItsDefinitionWhenRemoved) {
  create({.name = "gone", .table = "0 8 zero\n"});
  remove({.name = "gone"});
  EXPECT_FALSE(std::filesystem::exists(map_file("gone")));
  EXPECT_THAT(engine().definitions(), IsEmpty());
}

TEST_F(AStoredMap, RemovedWithKeepDefinitionStaysDownUntilTheNextBoot) {
  create({.name = "kept", .table = "0 4096 linear 8:16 0\n"});
  remove({.name = "kept", .keep_definition = true});
  EXPECT_TRUE(std::filesystem::exists(map_file("kept")));
  EXPECT_EQ(engine().catalog().find("kept"), nullptr);
  restore_now();
  EXPECT_THAT(kernel_map_names(), Not(Contains("kept")));
  ASSERT_EQ(engine().definitions().size(), 1u);
  EXPECT_EQ(engine().definitions()[0].state, "inactive");
  restart_daemon();
  start();
  EXPECT_THAT(kernel_map_names(), Not(Contains("kept"))) << "a daemon restart is not a boot";
  reboot();
  start();
  EXPECT_THAT(kernel_map_names(), Contains("kept"));
}

TEST_F(AStoredMap, WhoseRunningTableDiffersIsReportedWithoutItsCryptKeys) {
  const std::string stored_key(64, 'a');
  const std::string running_key(64, 'b');
  create({.name = "secret", .table = "0 4096 crypt aes-xts-plain64 " + stored_key + " 0 8:16 0\n"});
  on_kernel([&](FakeKernelBackend& kernel) {
    kernel.reload("secret", {{Sectors(0), Sectors(4096), "crypt",
                              "aes-xts-plain64 " + running_key + " 0 8:16 0"}});
  });
  restart_daemon();
  start();
  ASSERT_EQ(reports_.back().differences.size(), 1u);
  const std::string& difference = reports_.back().differences[0];
  EXPECT_THAT(difference, HasSubstr("the kernel's table differs"));
  EXPECT_THAT(difference, Not(HasSubstr(stored_key)));
  EXPECT_THAT(difference, Not(HasSubstr(running_key)));
  EXPECT_THAT(difference, HasSubstr("crypt aes-xts-plain64 " + std::string(64, '0') + " 0 8:16 0"));
}

TEST_F(AStoredMap, ThatCannotBeReadIsSetAsideWhileTheOthersComeUp) {
  create({.name = "good", .table = "0 8 zero\n"});
  create({.name = "bad", .table = "0 8 zero\n"});
  reboot();
  std::ofstream(map_file("bad")) << "{ \"format\": 1, \"kind\": ";
  start();
  EXPECT_THAT(kernel_map_names(), ElementsAre("good"));
  ASSERT_EQ(reports_.back().quarantined.size(), 1u);
  EXPECT_THAT(reports_.back().quarantined[0], HasSubstr("bad.json"));
  EXPECT_FALSE(std::filesystem::exists(map_file("bad")));
}

TEST_F(AStoredMap, ThatCannotBeReadNowIsReportedAndLeftInPlace) {
  create({.name = "good", .table = "0 8 zero\n"});
  reboot();
  // A read error (EIO), not bad contents: nothing goes to quarantine.
  std::filesystem::create_symlink("/proc/self/mem", map_file("eio"));
  start();
  EXPECT_THAT(kernel_map_names(), ElementsAre("good"));
  EXPECT_THAT(reports_.back().quarantined, IsEmpty());
  ASSERT_EQ(reports_.back().failed.size(), 1u);
  EXPECT_EQ(reports_.back().failed[0].name, map_file("eio").string());
  EXPECT_THAT(reports_.back().failed[0].error, HasSubstr("EIO"));
  EXPECT_TRUE(std::filesystem::is_symlink(map_file("eio")));
}

TEST_F(AStoredMap, ThatCannotBeWrittenIsNotLeftRunning) {
  std::filesystem::remove_all(state_dir());
  std::ofstream(state_dir().string()) << "a file where the directory should be";
  CreateMapRequest request{.name = "unstorable", .table = "0 8 zero\n"};
  std::optional<Outcome<MapRecord>> created;
  engine().create_map(request, into(created));
  const Outcome<MapRecord>& outcome = wait_for(created);
  ASSERT_FALSE(outcome.ok());
  EXPECT_THAT(kernel_map_names(), Not(Contains("unstorable")));
  std::filesystem::remove(state_dir());
  std::filesystem::create_directories(state_dir());
}

// The create's checks only find the missing devices; they are noted once the definition is
// stored, so a create that failed leaves nothing for a later map of that name to show.
TEST_F(AStoredMap, ThatCouldNotBeStoredLeavesNoMissingDevicesBehind) {
  std::filesystem::remove_all(state_dir());
  std::ofstream(state_dir().string()) << "a file where the directory should be";
  std::optional<Outcome<MapRecord>> waiting;
  engine().create_map({.name = "late",
                       .table = "0 4096 linear /dev/disk/by-id/usb-LATE 0\n",
                       .wait_for_devices = true},
                      into(waiting));
  ASSERT_FALSE(wait_for(waiting).ok());
  std::filesystem::remove(state_dir());
  std::filesystem::create_directories(state_dir());

  create({.name = "late", .table = "0 4096 linear 8:16 0\n"});
  on_kernel([](FakeKernelBackend& fake) { fake.remove("late"); });
  std::optional<Outcome<Done>> rescanned;
  engine().rescan(into(rescanned));
  wait_for(rescanned).value_or_throw();

  const MapRecord* pending = engine().catalog().find("late");
  ASSERT_NE(pending, nullptr);
  EXPECT_EQ(pending->state, MapState::Pending);
  EXPECT_THAT(pending->missing_devices, IsEmpty());
  ASSERT_EQ(engine().definitions().size(), 1u);
  EXPECT_THAT(engine().definitions()[0].reason, Not(HasSubstr("usb-LATE")));
}

TEST_F(AStoredMap, CreateCutShortAfterTheKernelIsCompletedAtStart) {
  create({.name = "done", .table = "0 8 zero\n"});
  // As if mapperd had died after the kernel made the map but before the definition was written.
  const std::vector<MapDefinition> stored = DefinitionStore(state_dir()).load().maps;
  ASSERT_EQ(stored.size(), 1u);
  std::filesystem::remove(map_file("done"));
  RuntimeState(runtime_dir())
      .save_intent({.id = "create-done-1", .kind = "create", .maps = {"done"}, .to_save = stored});
  restart_daemon();
  start();
  EXPECT_THAT(reports_.back().recovered, Contains(HasSubstr("completed")));
  EXPECT_TRUE(std::filesystem::exists(map_file("done")));
  EXPECT_TRUE(engine().catalog().find("done")->persistent);
  EXPECT_THAT(RuntimeState(runtime_dir()).load_intents(), IsEmpty());
}

TEST_F(AStoredMap, CreateCutShortBeforeTheKernelLeavesNothing) {
  MapDefinition never{.name = "never", .uuid = "MAPPERD-never", .table = "0 8 zero\n"};
  RuntimeState(runtime_dir())
      .save_intent(
          {.id = "create-never-1", .kind = "create", .maps = {"never"}, .to_save = {never}});
  restart_daemon();
  start();
  EXPECT_THAT(kernel_map_names(), Not(Contains("never")));
  EXPECT_FALSE(std::filesystem::exists(map_file("never")));
  EXPECT_THAT(RuntimeState(runtime_dir()).load_intents(), IsEmpty());
}

TEST_F(AStoredMap, SnapshotComesBackInDependencyOrderAfterAReboot) {
  plug_disk(DeviceNumber{8, 96}, "COW", Sectors(2048));
  create({.name = "origin", .table = "0 4096 linear 8:16 0\n"});
  std::optional<Outcome<MapRecord>> made;
  engine().create_snapshot(
      {.origin = "origin", .name = "snap", .cow_device = "8:96", .chunk_size = Sectors(16)},
      into(made));
  wait_for(made).value_or_throw();
  EXPECT_TRUE(std::filesystem::exists(map_file("origin-real")));
  EXPECT_THAT(read_file(map_file("origin")), HasSubstr("snapshot-origin"));
  EXPECT_THAT(read_file(map_file("snap")), HasSubstr("P 16"));
  reboot();
  start();
  EXPECT_THAT(reports_.back().created, ElementsAre("origin-real", "origin", "snap"));
  const MapRecord* snap = engine().catalog().find("snap");
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->origin, std::optional<std::string>("origin"));
  EXPECT_TRUE(snap->persistent);
}

TEST_F(AStoredMap, RenamedMovesItsDefinition) {
  create({.name = "before", .table = "0 8 zero\n"});
  std::optional<Outcome<MapRecord>> renamed;
  engine().rename_map("before", "after", into(renamed));
  wait_for(renamed).value_or_throw();
  EXPECT_FALSE(std::filesystem::exists(map_file("before")));
  EXPECT_THAT(read_file(map_file("after")), HasSubstr("\"after\""));
}

TEST_F(AStoredMap, ReloadedStoresTheNewTable) {
  create({.name = "grows", .table = "0 8 zero\n"});
  std::optional<Outcome<Done>> reloaded;
  engine().reload_map("grows", "0 16 zero\n", into(reloaded));
  wait_for(reloaded).value_or_throw();
  EXPECT_THAT(read_file(map_file("grows")), HasSubstr("0 16 zero"));
}

class AStoredLoop : public PersistenceFixture {
 protected:
  void SetUp() override { start(); }
  LoopRecord attach(const std::string& path, AttachLoopRequest request = {}) {
    std::optional<Outcome<LoopRecord>> attached;
    engine().attach_loop_file(path, request, into(attached));
    return wait_for(attached).value_or_throw();
  }
};

TEST_F(AStoredLoop, IsReattachedAtBootAndItsMapFollowsIt) {
  const LoopRecord loop = attach(make_file("/srv/a.img"));
  EXPECT_THAT(observer().events, Contains("loop added " + loop.device_path()));
  create({.name = "onloop", .table = "0 4096 linear " + loop.device_path() + " 0\n"});
  reboot();
  // Another program takes the first loop devices at boot.
  loops_.bind_externally(make_file("/srv/other1.img"), {});
  loops_.bind_externally(make_file("/srv/other2.img"), {});
  start();
  const std::vector<LoopDevice> bound = loops_.list();
  std::optional<LoopDevice> ours;
  for (const LoopDevice& device : bound) {
    if (device.backing.file == "/srv/a.img")
      ours = device;
  }
  ASSERT_TRUE(ours.has_value());
  EXPECT_NE(ours->index, loop.index);
  EXPECT_EQ(kernel_table("onloop"), "0 4096 linear 7:" + std::to_string(ours->index) + " 0\n");
  EXPECT_EQ(engine().loops().size(), 1u);
}

TEST_F(AStoredLoop, ThatIsInUseIsNotDetached) {
  const LoopRecord loop = attach(make_file("/srv/a.img"));
  create({.name = "onloop", .table = "0 4096 linear " + loop.device_path() + " 0\n"});
  std::optional<Outcome<Done>> detached;
  engine().detach_loop(loop.index, false, into(detached));
  const Outcome<Done>& outcome = wait_for(detached);
  ASSERT_FALSE(outcome.ok());
  try {
    std::rethrow_exception(outcome.error());
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Busy);
    EXPECT_THAT(e.what(), HasSubstr("onloop"));
  }
}

TEST_F(AStoredLoop, IsDetachedOnceUdevHasFinishedProbingIt) {
  const LoopRecord loop = attach(make_file("/srv/a.img"));
  loops_.set_busy(loop.index, "udev's blkid");
  udev_.events_left = 2;
  udev_.on_settled = [this, index = loop.index] { loops_.set_busy(index, ""); };
  std::optional<Outcome<Done>> detached;
  engine().detach_loop(loop.index, false, into(detached));
  wait_for(detached).value_or_throw();
  EXPECT_EQ(udev_.waits.size(), 2u);
  EXPECT_THAT(observer().events, Contains("loop removed " + loop.device_path()));
  EXPECT_FALSE(loops_.bound_at(loop.index).has_value());
}

TEST_F(AStoredLoop, DetachedLosesItsDefinition) {
  const LoopRecord loop = attach(make_file("/srv/a.img"));
  std::optional<Outcome<Done>> detached;
  engine().detach_loop(loop.index, false, into(detached));
  wait_for(detached).value_or_throw();
  EXPECT_THAT(observer().events, Contains("loop removed " + loop.device_path()));
  reboot();
  start();
  EXPECT_THAT(loops_.list(), IsEmpty());
}

TEST_F(AStoredLoop, WhoseFileIsMissingWaitsForIt) {
  attach(make_file("/mnt/later/a.img"));
  reboot();
  loops_.remove_path("/mnt/later/a.img");
  start();
  EXPECT_THAT(loops_.list(), IsEmpty());
  ASSERT_EQ(reports_.back().waiting_loops.size(), 1u);
  // The filesystem is mounted: the same file is there again.
  loops_.add_file("/mnt/later/a.img", 4096 * 512);
  restore_now();
  EXPECT_THAT(reports_.back().failed_loops, Not(IsEmpty()))
      << "a new inode at the same path is another file, refused";
}

}  // namespace
}  // namespace mapperd::testing

namespace mapperd::testing {
namespace {

class ARemovedMap : public PersistenceFixture {
 protected:
  void SetUp() override { start(); }
};

TEST_F(ARemovedMap, IsNotBroughtBackByARestorePassThatTheRemovalTriggered) {
  create({.name = "gone", .table = "0 8 zero\n"});
  std::optional<Outcome<Done>> removed;
  engine().remove_map({.name = "gone"}, into(removed));
  // The removal's own udev event asks for a pass while the removal still runs.
  engine().request_restore();
  wait_for(removed).value_or_throw();
  restore_now();
  EXPECT_THAT(kernel_map_names(), ::testing::Not(::testing::Contains("gone")));
  EXPECT_EQ(engine().catalog().find("gone"), nullptr);
}

}  // namespace
}  // namespace mapperd::testing
