// What the engine asks the kernel after an operation and on an event: only the maps they name,
// so the cost of an operation does not grow with the maps there are; every map only at start,
// and when an event cannot be told apart. Counted on the fake kernel's read log.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class AnEngineAmongManyMaps : public EngineFixture {
 protected:
  AnEngineAmongManyMaps() {
    start_engine();
    for (int i = 0; i < 20; ++i)
      create("other" + std::to_string(i), linear_table(kLoop1, 8));
    observer_.events.clear();
  }

  // The reads the fake logged while `action` ran.
  std::vector<std::string> reads_during(const std::function<void()>& action) {
    const std::size_t before = kernel_reads().size();
    action();
    const std::vector<std::string> all = kernel_reads();
    return {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()};
  }

  // The names the reads in `reads` were about ("info a" -> "a"), without repeats.
  static std::vector<std::string> names_read(const std::vector<std::string>& reads) {
    std::vector<std::string> names;
    for (const std::string& read : reads) {
      const std::size_t space = read.find(' ');
      const std::string name = space == std::string::npos ? "" : read.substr(space + 1);
      if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
    }
    return names;
  }

  void rescan_with(RescanScope scope) {
    std::optional<Outcome<Done>> rescanned;
    engine_.request_rescan(std::move(scope), into(rescanned));
    wait_for(rescanned).value_or_throw();
  }
};

TEST_F(AnEngineAmongManyMaps, ReadsOnlyTheMapItCreatesAfterTheCreate) {
  const auto reads = reads_during([&] { create("new", linear_table()); });
  EXPECT_THAT(reads, Not(Contains("list")));
  EXPECT_THAT(names_read(reads), ElementsAre("new"));
  EXPECT_THAT(reads, ElementsAre("info new", "table new", "deps new"));
  EXPECT_EQ(map("new").state, MapState::Active);
}

TEST_F(AnEngineAmongManyMaps, ReadsTheSameFewCallsWhateverTheNumberOfMaps) {
  const auto among_twenty = reads_during([&] { create("first", linear_table()); });
  for (int i = 20; i < 60; ++i)
    create("other" + std::to_string(i), linear_table(kLoop1, 8));
  const auto among_sixty = reads_during([&] { create("second", linear_table()); });
  EXPECT_EQ(among_twenty.size(), among_sixty.size());
}

TEST_F(AnEngineAmongManyMaps, ReadsOnlyTheRemovedMapAfterARemove) {
  const auto reads = reads_during([&] { remove("other3"); });
  EXPECT_THAT(names_read(reads), ElementsAre("other3"));
  EXPECT_EQ(engine_.catalog().find("other3"), nullptr);
  EXPECT_THAT(observer_.events, ElementsAre("removed other3"));
}

TEST_F(AnEngineAmongManyMaps, ReadsBothNamesAfterARename) {
  std::optional<Outcome<MapRecord>> renamed;
  const auto reads = reads_during([&] {
    engine_.rename_map("other4", "moved", into(renamed));
    wait_for(renamed).value_or_throw();
  });
  EXPECT_THAT(names_read(reads),
              UnorderedElementsAre("other4", "moved", "other4-real", "moved-real"));
  EXPECT_THAT(observer_.events, ElementsAre("renamed other4 -> moved"));
}

TEST_F(AnEngineAmongManyMaps, ReadsTheOriginItsLayerAndTheSnapshotAfterASnapshot) {
  create("origin", linear_table());
  const auto reads = reads_during([&] { snapshot("origin", "snap"); });
  EXPECT_THAT(names_read(reads), UnorderedElementsAre("origin", "origin-real", "snap"));
  EXPECT_EQ(map("origin").snapshots, std::vector<std::string>{"snap"});
  EXPECT_EQ(map("snap").origin, "origin");
  EXPECT_EQ(map("origin-real").layer_of, "origin");
}

// The bug this guards: the snapshot's queue entry was made from the request after it had moved,
// so it held "" instead of the origin, and a reload of the origin queued behind it ran its check
// before the snapshot existed and swapped the snapshot-origin table away.
TEST_F(AnEngineAmongManyMaps, HoldsTheOriginWhileItSnapshotsIt) {
  create("origin", linear_table());
  CreateSnapshotRequest request{.origin = "origin", .name = "snap", .cow_device = "/dev/cow1"};
  std::optional<Outcome<MapRecord>> snapshotted;
  std::optional<Outcome<Done>> reloaded;
  engine_.create_snapshot(request, into(snapshotted));
  engine_.reload_map("origin", linear_table(kLoop2), into(reloaded));
  wait_for(snapshotted).value_or_throw();
  EXPECT_EQ(error_kind_of([&] { wait_for(reloaded).value_or_throw(); }), ErrorKind::Busy);
  EXPECT_EQ(map("origin").snapshots, std::vector<std::string>{"snap"});
}

TEST_F(AnEngineAmongManyMaps, ReadsOnlyTheMapsAnEventNames) {
  on_kernel([](FakeKernelBackend& fake) {
    fake.create(CreateRequest{.name = "foreign",
                              .uuid = "CRYPT-1",
                              .table = {{Sectors(0), Sectors(8), "linear", "7:2 0"}}});
  });
  const auto reads = reads_during([&] { rescan_with({.maps = {{.name = "foreign"}}}); });
  EXPECT_THAT(reads, Not(Contains("list")));
  EXPECT_THAT(names_read(reads), ElementsAre("foreign"));
  EXPECT_THAT(observer_.events, ElementsAre("added foreign"));
}

TEST_F(AnEngineAmongManyMaps, FindsTheMapOfAnEventThatCarriesOnlyItsDeviceNumber) {
  const DeviceNumber device = map("other5").device;
  on_kernel([](FakeKernelBackend& fake) { fake.remove("other5"); });
  const auto reads = reads_during([&] { rescan_with({.maps = {{.device = device}}}); });
  EXPECT_THAT(names_read(reads), ElementsAre("other5"));
  EXPECT_THAT(observer_.events, ElementsAre("removed other5"));
}

TEST_F(AnEngineAmongManyMaps, FollowsAnotherToolsRenameFromTheNewNameAndTheDevice) {
  const DeviceNumber device = map("other6").device;
  on_kernel([](FakeKernelBackend& fake) { fake.rename("other6", "renamed-by-hand"); });
  const auto reads =
      reads_during([&] { rescan_with({.maps = {{.name = "renamed-by-hand", .device = device}}}); });
  EXPECT_THAT(names_read(reads), UnorderedElementsAre("other6", "renamed-by-hand"));
  EXPECT_THAT(observer_.events, ElementsAre("renamed other6 -> renamed-by-hand"));
}

TEST_F(AnEngineAmongManyMaps, ReadsEveryMapForAnEventItCannotAttribute) {
  on_kernel([](FakeKernelBackend& fake) {
    fake.create(CreateRequest{.name = "unnamed",
                              .uuid = "LVM-1",
                              .table = {{Sectors(0), Sectors(8), "linear", "7:2 0"}}});
  });
  // A device number no map of the catalog has, and no name: only a full pass can find it.
  const auto reads = reads_during([&] {
    rescan_with({.maps = {{.device = DeviceNumber{253, 99}}}});
  });
  EXPECT_THAT(reads, Contains("list"));
  EXPECT_THAT(names_read(reads), Contains("other0"));
  EXPECT_THAT(observer_.events, ElementsAre("added unnamed"));
}

TEST_F(AnEngineAmongManyMaps, ReadsEveryMapWhenEventsWereLost) {
  on_kernel([](FakeKernelBackend& fake) { fake.remove("other7"); });
  const auto reads = reads_during([&] { rescan_with(RescanScope::all()); });
  EXPECT_THAT(reads, Contains("list"));
  EXPECT_THAT(observer_.events, ElementsAre("removed other7"));
}

TEST_F(AnEngineAmongManyMaps, JoinsTheScopesOfRequestsMadeWhileARescanRuns) {
  on_kernel([](FakeKernelBackend& fake) {
    fake.remove("other8");
    fake.remove("other9");
  });
  std::vector<std::string> completed;
  const auto reads = reads_during([&] {
    engine_.request_rescan({.maps = {{.name = "other1"}}},
                           [&](Outcome<Done>) { completed.push_back("first"); });
    engine_.request_rescan({.maps = {{.name = "other8"}}},
                           [&](Outcome<Done>) { completed.push_back("second"); });
    engine_.request_rescan({.maps = {{.name = "other9"}}},
                           [&](Outcome<Done>) { completed.push_back("third"); });
    loop_.run_until([&] { return completed.size() == 3; }, std::chrono::seconds(10));
  });
  EXPECT_THAT(completed, ElementsAre("first", "second", "third"));
  EXPECT_THAT(names_read(reads), UnorderedElementsAre("other1", "other8", "other9"));
  EXPECT_THAT(observer_.events, ElementsAre("removed other8", "removed other9"));
}

}  // namespace
}  // namespace mapperd::testing
