// CreateSnapshot and its consequences, LVM-style, over the fake kernel backend.

#include <algorithm>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class AnEngineWithAnOrigin : public EngineFixture {
 protected:
  AnEngineWithAnOrigin() {
    start_engine();
    create("origin", linear_table());
    observer_.events.clear();
  }

  std::string device_of(const std::string& name) { return map(name).device.to_string(); }
};

TEST_F(AnEngineWithAnOrigin, MovesTheOriginsTableToAHiddenRealLayer) {
  const DeviceNumber origin_device = map("origin").device;
  const MapRecord snap = snapshot("origin", "snap");

  const MapRecord& layer = map("origin-real");
  EXPECT_TRUE(layer.hidden());
  EXPECT_EQ(layer.table, "0 4096 linear 7:1 0\n");
  EXPECT_EQ(map("origin").table, "0 4096 snapshot-origin " + device_of("origin-real") + "\n");
  EXPECT_EQ(map("origin").device, origin_device);
  EXPECT_EQ(snap.table, "0 4096 snapshot " + device_of("origin-real") + " 7:3 P 8\n");
  EXPECT_EQ(map("origin").real_layer, "origin-real");
  EXPECT_THAT(map("origin").snapshots, ElementsAre("snap"));
  EXPECT_EQ(snap.origin, "origin");
}

TEST_F(AnEngineWithAnOrigin, AnnouncesTheSnapshotBeforeTheOriginThatNamesIt) {
  snapshot("origin", "snap");
  EXPECT_THAT(observer_.events,
              ElementsAre("added snap", "changed origin: Table Dependencies Snapshots"));
}

TEST_F(AnEngineWithAnOrigin, SuspendsTheOriginOnlyWhileTheSnapshotLoads) {
  const std::size_t calls_before = kernel_calls().size();
  snapshot("origin", "snap");
  std::vector<std::string> calls = kernel_calls();
  calls.erase(calls.begin(), calls.begin() + static_cast<std::ptrdiff_t>(calls_before));
  const auto at = [&](const std::string& call) {
    return std::find(calls.begin(), calls.end(), call) - calls.begin();
  };
  EXPECT_LT(at("create origin-real"), at("suspend origin"));
  EXPECT_LT(at("suspend origin"), at("create snap"));
  EXPECT_LT(at("create snap"), at("resume origin"));
  EXPECT_EQ(map("origin").state, MapState::Active);
}

TEST_F(AnEngineWithAnOrigin, ZeroesTheFirstChunkOfTheCow) {
  snapshot("origin", "snap", "/dev/cow1", Sectors(16));
  ASSERT_EQ(zeroed_.size(), 1u);
  EXPECT_EQ(zeroed_[0].first.text(), "/dev/cow1");
  EXPECT_EQ(zeroed_[0].second, Sectors(16));
}

TEST_F(AnEngineWithAnOrigin, MakesATransientSnapshotWhenAsked) {
  CreateSnapshotRequest request{
      .origin = "origin", .name = "snap", .cow_device = "/dev/cow1", .persistent = false};
  std::optional<Outcome<MapRecord>> created;
  engine_.create_snapshot(request, into(created));
  const MapRecord& snap = wait_for(created).value_or_throw();
  EXPECT_THAT(snap.table, HasSubstr(" N 8"));
  EXPECT_FALSE(snap.persistent);
}

TEST_F(AnEngineWithAnOrigin, ReadsTheSnapshotsUsageFromItsStatus) {
  snapshot("origin", "snap");
  ASSERT_TRUE(map("snap").usage.has_value());
  EXPECT_EQ(map("snap").usage->total, Sectors(2048));
}

TEST_F(AnEngineWithAnOrigin, ReusesTheRealLayerForASecondSnapshot) {
  snapshot("origin", "first");
  const std::string layer_device = device_of("origin-real");
  snapshot("origin", "second", "/dev/cow2");
  EXPECT_EQ(device_of("origin-real"), layer_device);
  EXPECT_THAT(map("origin").snapshots, ElementsAre("first", "second"));
  EXPECT_EQ(map("second").table, "0 4096 snapshot " + layer_device + " 7:4 P 8\n");
}

TEST_F(AnEngineWithAnOrigin, PutsEverythingBackWhenTheSnapshotCannotBeMade) {
  EXPECT_EQ(error_kind_of([&] { snapshot("origin", "snap", "/dev/no-cow"); }),
            ErrorKind::DeviceMissing);
  EXPECT_EQ(engine_.catalog().find("origin-real"), nullptr);
  EXPECT_EQ(engine_.catalog().find("snap"), nullptr);
  EXPECT_EQ(map("origin").table, "0 4096 linear 7:1 0\n");
  EXPECT_EQ(map("origin").state, MapState::Active);
  EXPECT_TRUE(observer_.events.empty());
}

TEST_F(AnEngineWithAnOrigin, PutsEverythingBackWhenTheOriginCannotBeSuspended) {
  on_kernel([](FakeKernelBackend& fake) {
    fake.fail_next("suspend", Error(ErrorKind::Kernel, "suspend origin: EIO"));
  });
  EXPECT_EQ(error_kind_of([&] { snapshot("origin", "snap"); }), ErrorKind::Kernel);
  EXPECT_EQ(engine_.catalog().find("origin-real"), nullptr);
  EXPECT_EQ(map("origin").table, "0 4096 linear 7:1 0\n");
  EXPECT_EQ(map("origin").state, MapState::Active);
}

TEST_F(AnEngineWithAnOrigin, RefusesToRemoveAnOriginWithSnapshotsNamingThem) {
  snapshot("origin", "snap");
  try {
    remove("origin");
    FAIL() << "the origin was removed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Busy);
    EXPECT_THAT(e.what(), HasSubstr("snap"));
    EXPECT_THAT(e.what(), HasSubstr("with-snapshots"));
  }
}

TEST_F(AnEngineWithAnOrigin, RemovesItsSnapshotsFirstWhenAskedWithSnapshots) {
  snapshot("origin", "first");
  snapshot("origin", "second", "/dev/cow2");
  std::optional<Outcome<Done>> removed;
  engine_.remove_map({.name = "origin", .with_snapshots = true}, into(removed));
  wait_for(removed).value_or_throw();
  const std::vector<std::string> calls = kernel_calls();
  const auto origin_at = std::find(calls.begin(), calls.end(), "remove origin");
  ASSERT_NE(origin_at, calls.end());
  EXPECT_LT(std::find(calls.begin(), calls.end(), "remove first"), origin_at);
  EXPECT_LT(std::find(calls.begin(), calls.end(), "remove second"), origin_at);
  EXPECT_THAT(engine_.catalog().all(), ::testing::IsEmpty());
}

TEST_F(AnEngineWithAnOrigin, RemovesAPlainMapWithSnapshotsAskedAsUsual) {
  std::optional<Outcome<Done>> removed;
  engine_.remove_map({.name = "origin", .with_snapshots = true}, into(removed));
  wait_for(removed).value_or_throw();
  EXPECT_THAT(engine_.catalog().all(), ::testing::IsEmpty());
}

TEST_F(AnEngineWithAnOrigin, FoldsTheRealLayerBackWhenTheLastSnapshotGoes) {
  snapshot("origin", "snap");
  observer_.events.clear();
  remove("snap");
  EXPECT_EQ(engine_.catalog().find("origin-real"), nullptr);
  EXPECT_EQ(map("origin").table, "0 4096 linear 7:1 0\n");
  EXPECT_TRUE(map("origin").snapshots.empty());
  EXPECT_THAT(observer_.events,
              ElementsAre("removed snap", "changed origin: Table Dependencies Snapshots"));
}

TEST_F(AnEngineWithAnOrigin, KeepsTheRealLayerWhileOtherSnapshotsRemain) {
  snapshot("origin", "first");
  snapshot("origin", "second", "/dev/cow2");
  remove("first");
  EXPECT_NE(engine_.catalog().find("origin-real"), nullptr);
  EXPECT_THAT(map("origin").snapshots, ElementsAre("second"));
}

TEST_F(AnEngineWithAnOrigin, RefusesASnapshotWhoseLayerNameIsTaken) {
  create("origin-real", linear_table(kLoop2));
  EXPECT_EQ(error_kind_of([&] { snapshot("origin", "snap"); }), ErrorKind::AlreadyExists);
  EXPECT_THAT(kernel_calls(), Not(Contains("suspend origin")));
}

TEST_F(AnEngineWithAnOrigin, RefusesASnapshotWhoseLayerNameWouldBeTooLong) {
  const std::string long_name(125, 'o');
  create(long_name, linear_table(kLoop2));
  EXPECT_EQ(error_kind_of([&] { snapshot(long_name, "snap"); }), ErrorKind::InvalidName);
}

TEST_F(AnEngineWithAnOrigin, RefusesAChunkSizeThatIsNotAPowerOfTwo) {
  EXPECT_EQ(error_kind_of([&] { snapshot("origin", "snap", "/dev/cow1", Sectors(12)); }),
            ErrorKind::InvalidArgument);
}

TEST_F(AnEngineWithAnOrigin, RefusesASnapshotOfASnapshot) {
  snapshot("origin", "snap");
  EXPECT_EQ(error_kind_of([&] { snapshot("snap", "snap2", "/dev/cow2"); }),
            ErrorKind::InvalidArgument);
}

TEST_F(AnEngineWithAnOrigin, DoesNotLetTheHiddenLayerBeAddressed) {
  snapshot("origin", "snap");
  EXPECT_EQ(error_kind_of([&] { remove("origin-real"); }), ErrorKind::NotFound);
}

TEST_F(AnEngineWithAnOrigin, RenamesTheRealLayerWithItsOrigin) {
  snapshot("origin", "snap");
  std::optional<Outcome<MapRecord>> renamed;
  engine_.rename_map("origin", "base", into(renamed));
  wait_for(renamed).value_or_throw();
  EXPECT_NE(engine_.catalog().find("base-real"), nullptr);
  EXPECT_EQ(map("snap").origin, "base");
  EXPECT_EQ(map("base").real_layer, "base-real");
}

TEST_F(AnEngineWithAnOrigin, RefusesToReloadAnOriginWithSnapshots) {
  snapshot("origin", "snap");
  std::optional<Outcome<Done>> reloaded;
  engine_.reload_map("origin", linear_table(kLoop2), into(reloaded));
  EXPECT_EQ(error_kind_of([&] { wait_for(reloaded).value_or_throw(); }), ErrorKind::Busy);
}

TEST_F(AnEngineWithAnOrigin, RelatesSnapshotsWrittenByHand) {
  create("hand-origin", "0 4096 snapshot-origin /dev/loop2\n");
  create("hand-snap", "0 4096 snapshot /dev/loop2 /dev/cow2 N 16\n");
  EXPECT_THAT(map("hand-origin").snapshots, ElementsAre("hand-snap"));
  EXPECT_EQ(map("hand-snap").origin, "hand-origin");
  EXPECT_FALSE(map("hand-origin").real_layer.has_value());
  EXPECT_EQ(error_kind_of([&] { snapshot("hand-origin", "more", "/dev/cow1"); }),
            ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace mapperd::testing
