// Snapshots on COW files mapperd makes: the file and its loop made, stored and brought back with
// the snapshot, released with it (or when it could not be made), refused where it would
// deadlock, grown at a fill threshold when the snapshot's policy says so; and an origin that
// waits at boot for its snapshots' COW devices.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "persistence_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr DeviceNumber kDisk{8, 16};
constexpr std::uint64_t kMiB = 1024 * 1024;

class ASnapshotOnACowFile : public PersistenceFixture {
 protected:
  void SetUp() override {
    plug_disk(kDisk, "DISK-A", Sectors(8192));
    start();
    create({.name = "origin", .table = "0 8192 linear 8:16 0\n"});
  }
  Outcome<MapRecord> try_snapshot(CreateSnapshotRequest request) {
    request.origin = "origin";
    if (request.name.empty())
      request.name = "snap";
    std::optional<Outcome<MapRecord>> made;
    engine().create_snapshot(std::move(request), into(made));
    return wait_for(made);
  }
  MapRecord snapshot(CreateSnapshotRequest request) {
    return try_snapshot(std::move(request)).value_or_throw();
  }
  std::string cow_path() const {
    const auto& files = cow_files_.files();
    return files.empty() ? std::string() : files.begin()->first;
  }
  bool bound(const std::string& file) const {
    const auto devices = loops_.list();
    return std::any_of(devices.begin(), devices.end(),
                       [&](const LoopDevice& loop) { return loop.backing.file == file; });
  }
  // Runs the loop until `done` holds (released files go by an operation of their own).
  void until(const std::function<bool()>& done) {
    ASSERT_TRUE(loop_.run_until(done, std::chrono::seconds(5)));
  }
  // Until every COW file and loop is gone, in the kernel and in the engine. A release ends on
  // the loop, after the kernel thread has detached, unstored and deleted: waiting for the fakes
  // alone would look at the engine between the two.
  void until_released() {
    until([&] {
      return cow_files_.files().empty() && loops_.list().empty() && engine().loops().empty();
    });
  }
};

TEST_F(ASnapshotOnACowFile, IsMadeOnAFileOfItsOwnBehindAStoredLoop) {
  const MapRecord snap = snapshot({.cow_file = CowFileSize{.bytes = kMiB}});
  EXPECT_EQ(cow_path(), cow_files_.path_for(snap.uuid));
  EXPECT_EQ(cow_files_.files().at(cow_path()), kMiB);
  ASSERT_TRUE(bound(cow_path()));
  EXPECT_EQ(engine().cow_file_of(snap), cow_path());
  EXPECT_EQ(snap.usage->total, Sectors(kMiB / 512));
  const StoredDefinitions stored = definitions_.load();
  EXPECT_TRUE(
      std::any_of(stored.loops.begin(), stored.loops.end(),
                  [&](const LoopDefinition& loop) { return loop.backing.file == cow_path(); }));
}

TEST_F(ASnapshotOnACowFile, IsSizedAsAShareOfItsOriginRoundedToWholeChunks) {
  snapshot({.chunk_size = Sectors(16), .cow_file = CowFileSize{.percent_of_origin = 25}});
  // A quarter of 8192 sectors.
  EXPECT_EQ(cow_files_.files().at(cow_path()), 1 * kMiB);
}

TEST_F(ASnapshotOnACowFile, TooSmallForItsChunksIsRefusedBeforeAnyFileIsMade) {
  const Outcome<MapRecord> made =
      try_snapshot({.chunk_size = Sectors(64), .cow_file = CowFileSize{.bytes = 64 * 1024}});
  ASSERT_FALSE(made.ok());
  EXPECT_THAT(describe(made.error()), HasSubstr("holds no data in chunks of 32768 bytes"));
  EXPECT_THAT(cow_files_.files(), IsEmpty());
}

TEST_F(ASnapshotOnACowFile, IsRefusedWhenTheFilesWouldLiveOnTheOriginItself) {
  cow_files_.file_system_on.insert(engine().catalog().find("origin")->device);
  const Outcome<MapRecord> made = try_snapshot({.cow_file = CowFileSize{.bytes = kMiB}});
  ASSERT_FALSE(made.ok());
  EXPECT_THAT(describe(made.error()), HasSubstr("lives on the origin"));
  EXPECT_THAT(cow_files_.files(), IsEmpty());
  EXPECT_THAT(loops_.list(), IsEmpty());
}

TEST_F(ASnapshotOnACowFile, ThatCouldNotBeMadeLeavesNeitherFileNorLoop) {
  // 24 sectors is no power of two: the snapshot's own check refuses it after the file exists.
  const Outcome<MapRecord> made =
      try_snapshot({.chunk_size = Sectors(24), .cow_file = CowFileSize{.bytes = kMiB}});
  ASSERT_FALSE(made.ok());
  EXPECT_THAT(describe(made.error()), HasSubstr("not a power of two"));
  until_released();
  EXPECT_THAT(definitions_.load().loops, IsEmpty());
}

TEST_F(ASnapshotOnACowFile, GoesWithItsSnapshotFileLoopAndDefinition) {
  snapshot({.cow_file = CowFileSize{.bytes = kMiB}});
  const std::string file = cow_path();
  remove({.name = "snap"});
  until_released();
  EXPECT_FALSE(bound(file));
  EXPECT_THAT(definitions_.load().loops, IsEmpty());
  EXPECT_THAT(observer().events, Contains(HasSubstr("loop removed")));
}

TEST_F(ASnapshotOnACowFile, OfATransientSnapshotIsNotStored) {
  snapshot({.persistent = false, .cow_file = CowFileSize{.bytes = kMiB}});
  EXPECT_TRUE(bound(cow_path()));
  EXPECT_THAT(definitions_.load().loops, IsEmpty());
}

TEST_F(ASnapshotOnACowFile, OfATransientSnapshotIsDeletedAtTheNextBoot) {
  snapshot({.persistent = false, .cow_file = CowFileSize{.bytes = kMiB}});
  const std::string file = cow_path();
  reboot();
  start();
  EXPECT_THAT(cow_files_.files(), IsEmpty());
  EXPECT_TRUE(std::any_of(reports_.begin(), reports_.end(), [&](const RestoreReport& report) {
    return std::find(report.swept_cow_files.begin(), report.swept_cow_files.end(), file) !=
           report.swept_cow_files.end();
  }));
}

TEST_F(ASnapshotOnACowFile, ComesBackWithItsSnapshotAfterAReboot) {
  const MapRecord snap = snapshot({.cow_file = CowFileSize{.bytes = kMiB}});
  reboot();
  start();
  EXPECT_TRUE(bound(cow_path()));
  const MapRecord* again = engine().catalog().find("snap");
  ASSERT_NE(again, nullptr);
  EXPECT_NE(again->device, DeviceNumber{});
  EXPECT_EQ(engine().cow_file_of(*again), cow_path());
  EXPECT_EQ(cow_files_.files().size(), 1u);
}

TEST_F(ASnapshotOnACowFile, KeepsItsOriginPendingAtBootWhileTheFileIsMissing) {
  snapshot({.cow_file = CowFileSize{.bytes = kMiB}});
  const std::string file = cow_path();
  reboot();
  // Its file system is not mounted yet.
  loops_.remove_path(file);
  start();
  const MapRecord* origin = engine().catalog().find("origin");
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->state, MapState::Pending);
  EXPECT_THAT(origin->missing_devices, Contains(HasSubstr("the COW of its snapshot snap")));
  EXPECT_THAT(kernel_map_names(), Not(Contains("origin")));
}

TEST_F(ASnapshotOnACowFile, KeepsAPolicyAcrossARestart) {
  snapshot({.cow_file = CowFileSize{.bytes = kMiB},
            .policy = {.fill_thresholds = {50, 75}, .auto_extend = true, .extend_percent = 50}});
  restart_daemon();
  start();
  const MapRecord* snap = engine().catalog().find("snap");
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(
      snap->snapshot_policy,
      (SnapshotPolicy{.fill_thresholds = {50, 75}, .auto_extend = true, .extend_percent = 50}));
}

TEST_F(ASnapshotOnACowFile, WithAnUnusablePolicyIsRefused) {
  const Outcome<MapRecord> made = try_snapshot(
      {.cow_file = CowFileSize{.bytes = kMiB}, .policy = {.fill_thresholds = {90, 80}}});
  ASSERT_FALSE(made.ok());
  EXPECT_THAT(describe(made.error()), HasSubstr("they must increase"));
  EXPECT_THAT(cow_files_.files(), IsEmpty());
}

TEST_F(ASnapshotOnACowFile, GrowsAtAThresholdWhenItsPolicySaysSo) {
  const MapRecord snap = snapshot({.cow_file = CowFileSize{.bytes = kMiB},
                                   .policy = {.fill_thresholds = {50}, .auto_extend = true}});
  const DeviceNumber cow = engine().loops().begin()->second.device;
  on_kernel([&](FakeKernelBackend& fake) { fake.set_cow_usage(cow, Sectors(1200), Sectors(16)); });
  std::optional<Outcome<Done>> read;
  engine().request_snapshot_rescan(into(read));
  wait_for(read).value_or_throw();
  // The engine says so last, after the file, the loop and the snapshot have grown.
  until([&] {
    return std::find(observer().events.begin(), observer().events.end(),
                     "grew snap 1048576 1261568") != observer().events.end();
  });
  // 20 % more, to whole pages.
  EXPECT_EQ(cow_files_.files().at(cow_path()), 1261568u);
  EXPECT_THAT(loops_.calls(), Contains(HasSubstr("refresh-size")));
  until([&] { return engine().catalog().find("snap")->usage->total == Sectors(1261568 / 512); });
  (void)snap;
}

TEST_F(ASnapshotOnACowFile, WithoutAutoExtendDoesNotGrow) {
  snapshot({.cow_file = CowFileSize{.bytes = kMiB}, .policy = {.fill_thresholds = {50}}});
  const DeviceNumber cow = engine().loops().begin()->second.device;
  on_kernel([&](FakeKernelBackend& fake) { fake.set_cow_usage(cow, Sectors(1200), Sectors(16)); });
  std::optional<Outcome<Done>> read;
  engine().request_snapshot_rescan(into(read));
  wait_for(read).value_or_throw();
  EXPECT_THAT(observer().events, Contains("filled snap 50%"));
  EXPECT_EQ(cow_files_.files().at(cow_path()), kMiB);
  EXPECT_THAT(loops_.calls(), Not(Contains(HasSubstr("refresh-size"))));
}

TEST_F(ASnapshotOnACowFile, ThatCannotGrowForWantOfRoomSaysSoAndStaysAsItIs) {
  snapshot({.cow_file = CowFileSize{.bytes = kMiB},
            .policy = {.fill_thresholds = {50}, .auto_extend = true}});
  cow_files_.room = 0;
  const DeviceNumber cow = engine().loops().begin()->second.device;
  on_kernel([&](FakeKernelBackend& fake) { fake.set_cow_usage(cow, Sectors(1200), Sectors(16)); });
  std::optional<Outcome<Done>> read;
  engine().request_snapshot_rescan(into(read));
  wait_for(read).value_or_throw();
  until([&] {
    return std::any_of(observer().events.begin(), observer().events.end(), [](const auto& event) {
      return event.find("failure snap: growing the COW file") != std::string::npos;
    });
  });
  EXPECT_EQ(cow_files_.files().at(cow_path()), kMiB);
}

TEST_F(ASnapshotOnACowFile, StaysWhileItsMergeRunsAndGoesWhenTheMergeEnds) {
  snapshot({.cow_file = CowFileSize{.bytes = kMiB}});
  const DeviceNumber cow = engine().loops().begin()->second.device;
  on_kernel([&](FakeKernelBackend& fake) { fake.set_cow_usage(cow, Sectors(100), Sectors(16)); });
  std::optional<Outcome<MergeStarted>> started;
  engine().merge_snapshot({.snapshot = "snap"}, into(started));
  const std::uint32_t job = *wait_for(started).value_or_throw().job;
  // The snapshot map and its definition are gone; the origin merges from the COW.
  std::optional<Outcome<Done>> read;
  engine().rescan(into(read));
  wait_for(read).value_or_throw();
  EXPECT_TRUE(bound(cow_path()));
  EXPECT_EQ(cow_files_.files().size(), 1u);
  EXPECT_THAT(loops_.calls(), Not(Contains(HasSubstr("detach"))));
  on_kernel([&](FakeKernelBackend& fake) { fake.set_cow_usage(cow, Sectors(16), Sectors(16)); });
  until([&] { return engine().jobs().find(job) == nullptr; });
  until_released();
  EXPECT_THAT(observer().events, Not(Contains(HasSubstr("failure"))));
}

TEST_F(ASnapshotOnACowFile, LeftBehindByACrashIsReleasedAtTheNextStart) {
  // A file and a stored loop for a snapshot that was never made (a crash in between).
  cow_files_.add_orphan("MAPPERD-gone", kMiB);
  loops_.add_file(cow_files_.path_for("MAPPERD-gone"), kMiB);
  std::optional<Outcome<LoopRecord>> attached;
  engine().attach_loop_file(cow_files_.path_for("MAPPERD-gone"), {}, into(attached));
  wait_for(attached).value_or_throw();
  reboot();
  start();
  until_released();
  EXPECT_THAT(definitions_.load().loops, IsEmpty());
}

}  // namespace
}  // namespace mapperd::testing
