// Reconciliation as pure functions: kernel values in, records and ordered changes out.

#include "engine/reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

KernelMap kernel_map(const std::string& name, const std::string& uuid, std::uint32_t minor,
                     std::vector<TargetLine> table) {
  KernelMap map;
  map.info.name = name;
  map.info.uuid = uuid;
  map.info.device = DeviceNumber{253, minor};
  map.info.live_table = true;
  map.table = std::move(table);
  return map;
}

TargetLine line(std::uint64_t length, std::string type, std::string params) {
  return TargetLine{Sectors(0), Sectors(length), std::move(type), std::move(params)};
}

std::vector<std::string> described(const std::vector<CatalogChange>& plan) {
  std::vector<std::string> lines;
  for (const CatalogChange& change : plan) {
    switch (change.kind) {
      case CatalogChange::Kind::Removed:
        lines.push_back("removed " + change.record.name);
        break;
      case CatalogChange::Kind::Renamed:
        lines.push_back("renamed " + change.previous_name + " -> " + change.record.name);
        break;
      case CatalogChange::Kind::Added:
        lines.push_back("added " + change.record.name);
        break;
      case CatalogChange::Kind::Changed:
        lines.push_back("changed " + change.record.name);
        break;
    }
  }
  return lines;
}

std::map<std::string, MapRecord> catalog_of(const std::vector<MapRecord>& records) {
  std::map<std::string, MapRecord> catalog;
  for (const MapRecord& record : records)
    catalog[record.name] = record;
  return catalog;
}

TEST(RecordsFromKernel, TakeTheKernelsValuesAndTellOursFromOthers) {
  const auto records = records_from_kernel(
      {kernel_map("twoasone", "MAPPERD-1", 0, {line(8192, "linear", "7:1 0")}),
       kernel_map("vg0-root", "LVM-abc", 1, {line(100, "linear", "8:1 2048")})});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].name, "twoasone");
  EXPECT_EQ(records[0].size, Sectors(8192));
  EXPECT_EQ(records[0].table, "0 8192 linear 7:1 0\n");
  EXPECT_TRUE(records[0].owned);
  EXPECT_FALSE(records[1].owned);
}

TEST(RecordsFromKernel, SayWhatStateAMapIsIn) {
  KernelMap suspended = kernel_map("s", "", 0, {line(8, "zero", "")});
  suspended.info.suspended = true;
  KernelMap pending = kernel_map("p", "", 1, {});
  pending.info.live_table = false;
  KernelMap degraded = kernel_map("d", "", 2, {line(8, "error", "")});
  KernelMap failed = kernel_map("f", "", 3, {line(8, "snapshot", "253:9 7:3 P 8")});
  failed.status = {line(8, "snapshot", "Invalid")};
  const auto records = records_from_kernel({suspended, pending, degraded, failed});
  EXPECT_EQ(records[0].state, MapState::Degraded);
  EXPECT_EQ(records[1].state, MapState::Failed);
  EXPECT_EQ(records[2].state, MapState::Pending);
  EXPECT_EQ(records[3].state, MapState::Suspended);
}

TEST(RecordsFromKernel, CallAMapOverAFlakeyDeviceDegraded) {
  const auto records =
      records_from_kernel({kernel_map("f", "", 0, {line(8, "flakey", "7:1 0 0 5 1 drop_writes")})});
  EXPECT_EQ(records[0].state, MapState::Degraded);
}

TEST(MarkDegradedByDependencies, CarriesAFailingDeviceUpTheWholeStack) {
  KernelMap lower = kernel_map("lower", "", 0, {line(8, "error", "")});
  KernelMap middle = kernel_map("middle", "MAPPERD-1", 1, {line(8, "linear", "253:0 0")});
  middle.dependencies = {DeviceNumber{253, 0}};
  KernelMap top = kernel_map("top", "MAPPERD-2", 2, {line(8, "linear", "253:1 0")});
  top.dependencies = {DeviceNumber{253, 1}};
  KernelMap beside = kernel_map("beside", "MAPPERD-3", 3, {line(8, "linear", "7:1 0")});
  beside.dependencies = {DeviceNumber{7, 1}};
  KernelMap held = kernel_map("held", "MAPPERD-4", 4, {line(8, "linear", "253:0 0")});
  held.dependencies = {DeviceNumber{253, 0}};
  held.info.suspended = true;
  // Listed top first: the order of the records is not the order of the stack.
  auto records = records_from_kernel({top, middle, lower, beside, held});
  mark_degraded_by_dependencies(records);
  const auto catalog = catalog_of(records);
  EXPECT_EQ(catalog.at("lower").state, MapState::Degraded);
  EXPECT_EQ(catalog.at("middle").state, MapState::Degraded);
  EXPECT_EQ(catalog.at("top").state, MapState::Degraded);
  EXPECT_EQ(catalog.at("beside").state, MapState::Active);
  // Suspended says more than degraded: I/O is held, not failing.
  EXPECT_EQ(catalog.at("held").state, MapState::Suspended);
}

TEST(MarkDegradedByDependencies, CallsAMapOverAnInvalidSnapshotDegradedAndEndsOnACycle) {
  KernelMap snapshot = kernel_map("snap", "MAPPERD-1", 0, {line(8, "snapshot", "7:1 7:2 P 8")});
  snapshot.status = {line(8, "snapshot", "Invalid")};
  KernelMap over = kernel_map("over", "MAPPERD-2", 1, {line(8, "linear", "253:0 0")});
  over.dependencies = {DeviceNumber{253, 0}};
  // Two maps that name each other (the kernel refuses this; a reading must still end).
  KernelMap a = kernel_map("a", "", 2, {line(8, "linear", "253:3 0")});
  a.dependencies = {DeviceNumber{253, 3}};
  KernelMap b = kernel_map("b", "", 3, {line(8, "linear", "253:2 0")});
  b.dependencies = {DeviceNumber{253, 2}};
  auto records = records_from_kernel({snapshot, over, a, b});
  mark_degraded_by_dependencies(records);
  const auto catalog = catalog_of(records);
  EXPECT_EQ(catalog.at("snap").state, MapState::Failed);
  EXPECT_EQ(catalog.at("over").state, MapState::Degraded);
  EXPECT_EQ(catalog.at("a").state, MapState::Active);
  EXPECT_EQ(catalog.at("b").state, MapState::Active);
}

TEST(RecordsFromKernel, RelateAnOriginItsSnapshotsAndItsRealLayer) {
  const auto records = records_from_kernel(
      {kernel_map("data", "MAPPERD-1", 0, {line(4096, "snapshot-origin", "253:1")}),
       kernel_map("data-real", "MAPPERD-1-real", 1, {line(4096, "linear", "7:1 0")}),
       kernel_map("snap-b", "MAPPERD-3", 3, {line(4096, "snapshot", "253:1 7:4 P 8")}),
       kernel_map("snap-a", "MAPPERD-2", 2, {line(4096, "snapshot", "253:1 7:3 N 8")})});
  const auto data = catalog_of(records);
  EXPECT_THAT(data.at("data").snapshots, ElementsAre("snap-a", "snap-b"));
  EXPECT_EQ(data.at("data").real_layer, "data-real");
  EXPECT_EQ(data.at("data-real").layer_of, "data");
  EXPECT_TRUE(data.at("data-real").hidden());
  EXPECT_EQ(data.at("snap-a").origin, "data");
}

TEST(RecordsFromKernel, LeaveAnotherToolsRealLayerVisible) {
  const auto records = records_from_kernel(
      {kernel_map("vg-lv", "LVM-1", 0, {line(4096, "snapshot-origin", "253:1")}),
       kernel_map("vg-lv-real", "LVM-1-real", 1, {line(4096, "linear", "7:1 0")})});
  EXPECT_FALSE(catalog_of(records).at("vg-lv-real").hidden());
}

TEST(RecordsFromKernel, ReadASnapshotsUsageFromItsStatus) {
  KernelMap snap = kernel_map("snap", "MAPPERD-2", 2, {line(4096, "snapshot", "7:1 7:3 P 8")});
  snap.status = {line(4096, "snapshot", "16/2048 8")};
  const auto records = records_from_kernel({snap});
  ASSERT_TRUE(records[0].usage.has_value());
  EXPECT_EQ(records[0].usage->allocated, Sectors(16));
  EXPECT_EQ(records[0].usage->total, Sectors(2048));
  EXPECT_EQ(records[0].usage->metadata, Sectors(8));
}

class APlan : public ::testing::Test {
 protected:
  MapRecord record(const std::string& name, std::uint32_t minor, std::string uuid = "MAPPERD-x") {
    MapRecord r;
    r.name = name;
    r.uuid = uuid + std::to_string(minor);
    r.device = DeviceNumber{253, minor};
    r.owned = true;
    return r;
  }
};

TEST_F(APlan, IsEmptyWhenNothingChanged) {
  const std::vector<MapRecord> now{record("a", 0), record("b", 1)};
  EXPECT_THAT(plan_reconciliation(catalog_of(now), now, {}), IsEmpty());
}

TEST_F(APlan, RemovesRenamesAddsThenChangesEachByName) {
  MapRecord grown = record("grown", 2);
  const auto known = catalog_of({record("gone", 0), record("old", 1), grown});
  MapRecord renamed = record("old", 1);
  renamed.name = "new";
  grown.size = Sectors(100);
  const auto plan =
      plan_reconciliation(known, {renamed, grown, record("b-added", 4), record("a-added", 3)}, {});
  EXPECT_THAT(described(plan), ElementsAre("removed gone", "renamed old -> new", "added a-added",
                                           "added b-added", "changed grown"));
}

TEST_F(APlan, ListsTheFieldsThatChanged) {
  MapRecord before = record("m", 0);
  MapRecord after = before;
  after.table = "0 8 zero \n";
  after.size = Sectors(8);
  after.state = MapState::Suspended;
  const auto plan = plan_reconciliation(catalog_of({before}), {after}, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_THAT(plan[0].fields, ElementsAre(MapField::Size, MapField::Table, MapField::State));
}

TEST_F(APlan, TakesNewValuesThatAreNeverAnnouncedWithoutListingFields) {
  MapRecord before = record("m", 0);
  MapRecord after = before;
  after.open_count = 2;
  const auto plan = plan_reconciliation(catalog_of({before}), {after}, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_THAT(plan[0].fields, IsEmpty());
  EXPECT_EQ(plan[0].record.open_count, 2);
}

TEST_F(APlan, SeesARecreatedMapWithTheSameNameAsANewMap) {
  const auto known = catalog_of({record("m", 0)});
  const auto plan = plan_reconciliation(known, {record("m", 5)}, {});
  EXPECT_THAT(described(plan), ElementsAre("removed m", "added m"));
}

TEST_F(APlan, CarriesWhatOnlyWeKnowAcrossARename) {
  MapRecord before = record("old", 0);
  before.created_by_uid = 1000;
  before.persistent = false;
  MapRecord after = record("old", 0);
  after.name = "new";
  const auto plan = plan_reconciliation(catalog_of({before}), {after}, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].record.created_by_uid, 1000u);
  EXPECT_FALSE(plan[0].record.persistent);
}

TEST_F(APlan, GivesNewMapsWhatTheirCreatorAskedFor) {
  const auto plan = plan_reconciliation({}, {record("mine", 0)}, {{"mine", MapMetadata{false, 7}}});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].record.created_by_uid, 7u);
  EXPECT_FALSE(plan[0].record.persistent);
}

TEST_F(APlan, AdoptsUnknownMapsAsNotStoredAndMadeByRoot) {
  // Persistent means "has a definition": the engine says so through the metadata.
  const auto plan = plan_reconciliation({}, {record("found", 0)}, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].record.created_by_uid, 0u);
  EXPECT_FALSE(plan[0].record.persistent);
}

}  // namespace
}  // namespace mapperd
