// The engine's use cases on plain maps, over the fake kernel backend.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class AnEngine : public EngineFixture {
 protected:
  AnEngine() {
    start_engine();
    observer_.events.clear();
  }
};

TEST_F(AnEngine, CreatesAMapAndAnnouncesItBeforeItCompletes) {
  CreateMapRequest request{.name = "twoasone",
                           .table = "0 4096 linear /dev/loop1 0\n4096 4096 linear /dev/loop2 0\n"};
  std::optional<Outcome<MapRecord>> created;
  engine_.create_map(request, [&](Outcome<MapRecord> outcome) {
    observer_.events.push_back("completed");
    created = std::move(outcome);
  });
  const MapRecord& map = wait_for(created).value_or_throw();

  EXPECT_THAT(observer_.events, ElementsAre("added twoasone", "completed"));
  EXPECT_EQ(map.size, Sectors(8192));
  EXPECT_EQ(map.table, "0 4096 linear 7:1 0\n4096 4096 linear 7:2 0\n");
  EXPECT_EQ(map.state, MapState::Active);
  EXPECT_THAT(map.dependencies, ElementsAre(kLoop1, kLoop2));
  EXPECT_TRUE(map.owned);
  EXPECT_EQ(map.device_path(), "/dev/mapper/twoasone");
}

TEST_F(AnEngine, GivesEveryMapItCreatesTheMapperdUuidPrefix) {
  EXPECT_THAT(create("random", linear_table()).uuid, StartsWith("MAPPERD-"));
  EXPECT_EQ(create("chosen", linear_table(kLoop2), "disk-a").uuid, "MAPPERD-disk-a");
}

TEST_F(AnEngine, KeepsWhatTheKernelDoesNotKnowAboutTheCaller) {
  CreateMapRequest request{
      .name = "mine", .table = linear_table(), .persistent = false, .caller_uid = 1000};
  std::optional<Outcome<MapRecord>> created;
  engine_.create_map(request, into(created));
  const MapRecord& map = wait_for(created).value_or_throw();

  EXPECT_EQ(map.created_by_uid, 1000u);
  EXPECT_FALSE(map.persistent);
}

TEST_F(AnEngine, CreatesReadOnlyMapsWhenAsked) {
  CreateMapRequest request{.name = "ro", .table = linear_table(), .read_only = true};
  std::optional<Outcome<MapRecord>> created;
  engine_.create_map(request, into(created));
  EXPECT_TRUE(wait_for(created).value_or_throw().read_only);
}

TEST_F(AnEngine, RefusesANameThatExistsWithAlreadyExists) {
  create("twoasone", linear_table());
  EXPECT_EQ(error_kind_of([&] { create("twoasone", linear_table(kLoop2)); }),
            ErrorKind::AlreadyExists);
}

TEST_F(AnEngine, RefusesAUuidAnotherMapHasWithAlreadyExists) {
  create("first", linear_table(), "same");
  EXPECT_EQ(error_kind_of([&] { create("second", linear_table(kLoop2), "same"); }),
            ErrorKind::AlreadyExists);
}

TEST_F(AnEngine, RefusesAnInvalidNameBeforeTheKernelSeesIt) {
  EXPECT_EQ(error_kind_of([&] { create("control", linear_table()); }), ErrorKind::InvalidName);
  EXPECT_EQ(error_kind_of([&] { create("-dash", linear_table()); }), ErrorKind::InvalidName);
  EXPECT_THAT(kernel_calls(), IsEmpty());
}

TEST_F(AnEngine, RefusesABadTableWithInvalidTableAndChangesNothing) {
  EXPECT_EQ(error_kind_of([&] { create("bad", "0 100 linear /dev/loop1\n"); }),
            ErrorKind::InvalidTable);
  EXPECT_EQ(error_kind_of([&] { create("bad", "0 100 no-such-target\n"); }),
            ErrorKind::InvalidTable);
  EXPECT_THAT(kernel_calls(), IsEmpty());
  EXPECT_THAT(observer_.events, IsEmpty());
}

TEST_F(AnEngine, ReportsAMissingDeviceAsDeviceMissing) {
  EXPECT_EQ(error_kind_of([&] { create("ghost", "0 100 linear /dev/loop9 0\n"); }),
            ErrorKind::DeviceMissing);
  EXPECT_EQ(engine_.catalog().find("ghost"), nullptr);
}

TEST_F(AnEngine, ValidatesATableWithoutChangingAnything) {
  EXPECT_THAT(engine_.validate_table(linear_table()), IsEmpty());
  const auto problems = engine_.validate_table("0 100 linear /dev/loop1 0\n50 10 zero\n");
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems.front().line, 2u);
  EXPECT_THAT(kernel_calls(), IsEmpty());
}

TEST_F(AnEngine, RemovesAMapAndAnnouncesTheRemoval) {
  create("gone", linear_table());
  remove("gone");
  EXPECT_EQ(engine_.catalog().find("gone"), nullptr);
  EXPECT_THAT(observer_.events, ElementsAre("added gone", "removed gone"));
}

TEST_F(AnEngine, RefusesToRemoveAMapThatDoesNotExist) {
  EXPECT_EQ(error_kind_of([&] { remove("nothing"); }), ErrorKind::NotFound);
}

TEST_F(AnEngine, ReportsAnOpenMapAsBusyAndKeepsIt) {
  create("open", linear_table());
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("open", 1); });
  EXPECT_EQ(error_kind_of([&] { remove("open"); }), ErrorKind::Busy);
  EXPECT_NE(engine_.catalog().find("open"), nullptr);
}

TEST_F(AnEngine, AnnouncesSuspendAndResumeAsStateChanges) {
  create("pause", linear_table());
  std::optional<Outcome<Done>> suspended, resumed;
  engine_.suspend_map("pause", false, into(suspended));
  wait_for(suspended).value_or_throw();
  EXPECT_EQ(map("pause").state, MapState::Suspended);
  engine_.resume_map("pause", into(resumed));
  wait_for(resumed).value_or_throw();
  EXPECT_EQ(map("pause").state, MapState::Active);
  EXPECT_THAT(observer_.events,
              ElementsAre("added pause", "changed pause: State", "changed pause: State"));
}

TEST_F(AnEngine, SuspendsASuspendedMapAndResumesARunningOneWithoutChangingAnything) {
  create("twice", linear_table());
  std::optional<Outcome<Done>> first, second, resumed, again;
  engine_.suspend_map("twice", true, into(first));
  wait_for(first).value_or_throw();
  engine_.suspend_map("twice", false, into(second));
  wait_for(second).value_or_throw();
  EXPECT_EQ(map("twice").state, MapState::Suspended);
  engine_.resume_map("twice", into(resumed));
  wait_for(resumed).value_or_throw();
  engine_.resume_map("twice", into(again));
  wait_for(again).value_or_throw();
  EXPECT_EQ(map("twice").state, MapState::Active);
  EXPECT_THAT(observer_.events,
              ElementsAre("added twice", "changed twice: State", "changed twice: State"));
}

TEST_F(AnEngine, AnnouncesANewTableAndSizeAfterAReload) {
  create("grow", linear_table(kLoop1, 1024));
  std::optional<Outcome<Done>> reloaded;
  engine_.reload_map("grow", linear_table(kLoop1, 2048), into(reloaded));
  wait_for(reloaded).value_or_throw();
  EXPECT_EQ(map("grow").size, Sectors(2048));
  EXPECT_THAT(observer_.events, ElementsAre("added grow", "changed grow: Size Table"));
}

TEST_F(AnEngine, KeepsTheOldTableWhenAReloadIsRefused) {
  create("keep", linear_table());
  std::optional<Outcome<Done>> reloaded;
  engine_.reload_map("keep", "0 10 linear /dev/loop9 0\n", into(reloaded));
  EXPECT_EQ(error_kind_of([&] { wait_for(reloaded).value_or_throw(); }), ErrorKind::DeviceMissing);
  EXPECT_EQ(map("keep").table, "0 4096 linear 7:1 0\n");
  EXPECT_EQ(map("keep").state, MapState::Active);
}

TEST_F(AnEngine, MovesARenamedMapAndKeepsWhatOnlyItKnows) {
  CreateMapRequest request{
      .name = "old", .table = linear_table(), .persistent = false, .caller_uid = 42};
  std::optional<Outcome<MapRecord>> created, renamed;
  engine_.create_map(request, into(created));
  wait_for(created).value_or_throw();
  engine_.rename_map("old", "new", into(renamed));
  const MapRecord& map = wait_for(renamed).value_or_throw();

  EXPECT_EQ(map.name, "new");
  EXPECT_EQ(map.created_by_uid, 42u);
  EXPECT_FALSE(map.persistent);
  EXPECT_EQ(engine_.catalog().find("old"), nullptr);
  EXPECT_THAT(observer_.events, ElementsAre("added old", "renamed old -> new"));
}

TEST_F(AnEngine, RefusesARenameOntoATakenName) {
  create("a", linear_table());
  create("b", linear_table(kLoop2));
  std::optional<Outcome<MapRecord>> renamed;
  engine_.rename_map("a", "b", into(renamed));
  EXPECT_EQ(error_kind_of([&] { wait_for(renamed).value_or_throw(); }), ErrorKind::AlreadyExists);
}

TEST_F(AnEngine, PassesMessagesToTheKernelAndReturnsTheReply) {
  create("stats", linear_table());
  std::optional<Outcome<std::string>> reply;
  engine_.send_message("stats", Sectors(0), "@stats_create - /1", into(reply));
  EXPECT_EQ(wait_for(reply).value_or_throw(), "0");
}

TEST_F(AnEngine, RefusesAMessagePastTheMapsEnd) {
  create("short", linear_table(kLoop1, 100));
  std::optional<Outcome<std::string>> reply;
  engine_.send_message("short", Sectors(100), "@stats_create - /1", into(reply));
  EXPECT_EQ(error_kind_of([&] { wait_for(reply).value_or_throw(); }), ErrorKind::InvalidArgument);
}

TEST_F(AnEngine, ReadsTheKernelsStatusLines) {
  create("striped", "0 1024 striped 2 8 /dev/loop1 0 /dev/loop2 0\n");
  std::optional<Outcome<std::string>> status;
  engine_.read_status("striped", into(status));
  EXPECT_EQ(wait_for(status).value_or_throw(), "0 1024 striped 2 7:1 7:2 1 AA\n");
  // Its own map is read as dmsetup reads it, flushed.
  EXPECT_THAT(kernel_reads(), Contains("status striped"));
}

TEST_F(AnEngine, RunsOperationsOnTheSameMapInTheOrderTheyWereAsked) {
  std::optional<Outcome<MapRecord>> created;
  std::optional<Outcome<Done>> removed;
  engine_.create_map(CreateMapRequest{.name = "quick", .table = linear_table()}, into(created));
  engine_.remove_map({.name = "quick"}, into(removed));
  wait_for(removed).value_or_throw();
  EXPECT_TRUE(created->ok());
  EXPECT_THAT(observer_.events, ElementsAre("added quick", "removed quick"));
}

TEST_F(AnEngine, AnswersFromItsCatalogWhileTheKernelIsBusy) {
  create("steady", linear_table());
  // Hold the kernel thread: the engine must still answer reads, and queue the work.
  std::mutex gate;
  gate.lock();
  kernel_.submit([&gate](KernelBackend&) { std::lock_guard hold(gate); },
                 [](std::exception_ptr) {});
  std::optional<Outcome<Done>> removed;
  engine_.remove_map({.name = "steady"}, into(removed));

  EXPECT_NE(engine_.catalog().find_visible("steady"), nullptr);
  EXPECT_FALSE(removed.has_value());
  gate.unlock();
  wait_for(removed).value_or_throw();
  EXPECT_EQ(engine_.catalog().find_visible("steady"), nullptr);
}

class AnEngineStartingOverExistingMaps : public EngineFixture {
 protected:
  void make_in_kernel(const std::string& name, const std::string& uuid, DeviceNumber device) {
    on_kernel([&](FakeKernelBackend& fake) {
      fake.create(CreateRequest{
          .name = name,
          .uuid = uuid,
          .table = {{Sectors(0), Sectors(1024), "linear", device.to_string() + " 0"}}});
    });
  }
};

TEST_F(AnEngineStartingOverExistingMaps, AdoptsItsOwnMapsWithoutTouchingThem) {
  make_in_kernel("survivor", "MAPPERD-1234", kLoop1);
  const std::size_t calls_before = kernel_calls().size();
  start_engine();

  EXPECT_TRUE(map("survivor").owned);
  EXPECT_EQ(map("survivor").table, "0 1024 linear 7:1 0\n");
  EXPECT_EQ(kernel_calls().size(), calls_before);
  EXPECT_THAT(observer_.events, ElementsAre("targets changed", "added survivor"));
}

TEST_F(AnEngineStartingOverExistingMaps, ListsOtherToolsMapsButNeverChangesThem) {
  make_in_kernel("vg0-root", "LVM-abcdef", kLoop1);
  start_engine();
  EXPECT_FALSE(map("vg0-root").owned);

  EXPECT_EQ(error_kind_of([&] { remove("vg0-root"); }), ErrorKind::NotOwned);
  std::optional<Outcome<Done>> suspended;
  engine_.suspend_map("vg0-root", false, into(suspended));
  EXPECT_EQ(error_kind_of([&] { wait_for(suspended).value_or_throw(); }), ErrorKind::NotOwned);
  std::optional<Outcome<std::string>> status;
  engine_.read_status("vg0-root", into(status));
  EXPECT_THAT(wait_for(status).value_or_throw(), HasSubstr("linear"));
  // Without flush: a thin pool of LVM's would otherwise commit its metadata for our read.
  EXPECT_THAT(kernel_reads(), Contains("status --noflush vg0-root"));
  EXPECT_THAT(kernel_reads(), Not(Contains("status vg0-root")));
}

TEST_F(AnEngineStartingOverExistingMaps, SeesWhatChangedBehindItsBackOnARescan) {
  start_engine();
  make_in_kernel("foreign", "CRYPT-xyz", kLoop2);
  std::optional<Outcome<Done>> rescanned;
  engine_.rescan(into(rescanned));
  wait_for(rescanned).value_or_throw();
  EXPECT_THAT(observer_.events, ElementsAre("targets changed", "added foreign"));
}

TEST_F(AnEngineStartingOverExistingMaps, FoldsRescanRequestsMadeDuringARescanIntoOneMore) {
  start_engine();
  std::vector<std::string> completed;
  auto note = [&completed](std::string who) {
    return [&completed, who](Outcome<Done> outcome) {
      completed.push_back(who + (outcome.ok() ? "" : " failed"));
    };
  };
  engine_.request_rescan(note("first"));
  engine_.request_rescan(note("second"));
  engine_.request_rescan(note("third"));
  loop_.run_until([&] { return completed.size() == 3; }, std::chrono::seconds(10));
  EXPECT_THAT(completed, ElementsAre("first", "second", "third"));
}

}  // namespace
}  // namespace mapperd::testing
