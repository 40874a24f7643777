#include "map_output.h"

#include <gtest/gtest.h>

namespace mapperctl {
namespace {

MapInfo twoasone() {
  MapInfo map;
  map.name = "twoasone";
  map.uuid = "MAPPERD-0123";
  map.device_path = "/dev/mapper/twoasone";
  map.major = 254;
  map.minor = 3;
  map.size = 8192;
  map.table = "0 4096 linear 7:1 0\n4096 4096 linear 7:2 0\n";
  map.state = "active";
  map.persistent = true;
  map.owned = true;
  map.dependencies = {"7:1", "7:2"};
  return map;
}

TEST(TheLsOutput, IsNameTabAndDeviceNumberAsDmsetupPrintsIt) {
  MapInfo other = twoasone();
  other.name = "vg-lv";
  other.minor = 0;
  other.owned = false;
  EXPECT_EQ(format_ls({twoasone(), other}), "twoasone\t(254:3)\tpersistent\nvg-lv\t(254:0)\t-\n");
}

TEST(TheLsOutput, SaysWhetherMapperdRestoresEachMapAndWhatItIsMissing) {
  MapInfo scratch = twoasone();
  scratch.persistent = false;
  MapInfo degraded = twoasone();
  degraded.missing_devices = {"7:2"};
  EXPECT_EQ(format_ls({scratch, degraded}),
            "twoasone\t(254:3)\ttransient\ntwoasone\t(254:3)\tpersistent\tmissing: 7:2\n");
}

TEST(TheLsOutput, SaysSoWhenThereAreNoMaps) {
  EXPECT_EQ(format_ls({}), "No devices found\n");
}

TEST(TheInfoOutput, IsOneKeyValueLinePerFact) {
  EXPECT_EQ(format_info(twoasone()),
            "Name:          twoasone\n"
            "UUID:          MAPPERD-0123\n"
            "Device:        /dev/mapper/twoasone (254:3)\n"
            "Size:          8192 sectors (4.0 MiB)\n"
            "State:         active\n"
            "Read-only:     no\n"
            "Persistent:    yes\n"
            "Open count:    0\n"
            "Owner:         mapperd (created by uid 0)\n"
            "Dependencies:  7:1, 7:2\n");
}

TEST(TheInfoOutput, ShowsASnapshotsOriginAndCowUsage) {
  MapInfo snap = twoasone();
  snap.snapshot_origin = "base";
  snap.allocated_sectors = 16;
  snap.total_sectors = 1024;
  snap.metadata_sectors = 8;
  const std::string info = format_info(snap);
  EXPECT_NE(info.find("Snapshot of:   base\n"), std::string::npos) << info;
  EXPECT_NE(info.find("COW usage:     16 of 1024 sectors used (1.6%), 8 for metadata\n"),
            std::string::npos)
      << info;
}

TEST(TheInfoOutput, ShowsASnapshotsCowFileAndThresholds) {
  MapInfo snap = twoasone();
  snap.snapshot_origin = "base";
  EXPECT_EQ(format_info(snap).find("COW file:"), std::string::npos);
  snap.cow_file = "/var/lib/mapperd/cow/MAPPERD-1.cow";
  snap.auto_extend = true;
  snap.extend_percent = 20;
  snap.fill_thresholds = {80, 90};
  const std::string info = format_info(snap);
  EXPECT_NE(info.find("COW file:      /var/lib/mapperd/cow/MAPPERD-1.cow, grows by 20 % at each "
                      "threshold\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("Thresholds:    80 %, 90 %\n"), std::string::npos) << info;
}

TEST(TheInfoOutput, SaysPlainlyThatASnapshotsMergeWaits) {
  MapInfo snap = twoasone();
  snap.snapshot_origin = "base";
  EXPECT_EQ(format_info(snap).find("Merge:"), std::string::npos);
  snap.merge_pending = true;
  EXPECT_NE(format_info(snap).find("Merge:         pending: starts at the next boot"),
            std::string::npos)
      << format_info(snap);
}

TEST(TheInfoOutput, SaysWhoOwnsAMapMapperdWillNotChange) {
  MapInfo lvm = twoasone();
  lvm.owned = false;
  lvm.uuid = "LVM-abc";
  EXPECT_NE(format_info(lvm).find("Owner:         lvm (mapperd will not change it)\n"),
            std::string::npos);
  // mapperd neither stores nor restores it.
  EXPECT_NE(format_info(lvm).find("Persistent:    -\n"), std::string::npos);
}

TEST(TheInfoOutput, ListsTheDevicesAMapIsMissing) {
  MapInfo pending = twoasone();
  pending.state = "pending";
  pending.missing_devices = {"/dev/loop1 (file /srv/a.img)", "7:2"};
  EXPECT_NE(format_info(pending).find("Dependencies:  7:1, 7:2\n"
                                      "Missing:       /dev/loop1 (file /srv/a.img), 7:2\n"),
            std::string::npos)
      << format_info(pending);
  EXPECT_EQ(format_info(twoasone()).find("Missing:"), std::string::npos);
}

TEST(ASize, IsShownInSectorsAndBinaryUnits) {
  EXPECT_EQ(format_size(1), "1 sector (0.5 KiB)");
  EXPECT_EQ(format_size(2048), "2048 sectors (1.0 MiB)");
  EXPECT_EQ(format_size(3 * 1024 * 1024 * 2ull), "6291456 sectors (3.0 GiB)");
}

TEST(TheMapJson, HasEveryDocumentedFieldInOrder) {
  EXPECT_EQ(json_text(map_json(twoasone()), JsonMode::Short),
            R"({"name":"twoasone","uuid":"MAPPERD-0123","owner":"mapperd",)"
            R"("device_path":"/dev/mapper/twoasone","major":254,"minor":3,"size":8192,)"
            R"("state":"active","read_only":false,"persistent":true,"open_count":0,)"
            R"("owned":true,"created_by_uid":0,"dependencies":["7:1","7:2"],)"
            R"("missing_devices":[],)"
            R"("table":["0 4096 linear 7:1 0","4096 4096 linear 7:2 0"],)"
            R"("snapshot_origin":null,"snapshots":[],"allocated_sectors":null,)"
            R"("total_sectors":null,"metadata_sectors":null,"fill_percent":null,)"
            R"("invalid":null,"merge_pending":null,"fill_thresholds":null,"cow_file":null,)"
            R"("auto_extend":null,)"
            R"("object_path":"/org/mapperd/Mapper1/map/twoasone"})");
}

TEST(TheMapJson, FillsTheSnapshotFieldsOfASnapshot) {
  MapInfo snap = twoasone();
  snap.snapshot_origin = "base";
  snap.allocated_sectors = 16;
  snap.total_sectors = 64;
  snap.merge_pending = true;
  const Json json = map_json(snap);
  EXPECT_EQ(json.find("snapshot_origin")->dump(), R"("base")");
  EXPECT_EQ(json.find("allocated_sectors")->dump(), "16");
  EXPECT_EQ(json.find("fill_percent")->dump(), "25.0");
  EXPECT_EQ(json.find("invalid")->dump(), "false");
  EXPECT_EQ(json.find("merge_pending")->dump(), "true");
}

TEST(TheMapJson, ShowsAnInvalidSnapshotAsFull) {
  MapInfo snap = twoasone();
  snap.snapshot_origin = "base";
  snap.invalid = true;
  EXPECT_EQ(map_json(snap).find("fill_percent")->dump(), "100.0");
}

TEST(TheEventLines, ShowASnapshotsNewUsageThoughTheChangeDoesNotNameItsOrigin) {
  MapEvent usage = MapEvent::of(MapEvent::Kind::Changed, "snap");
  usage.map.allocated_sectors = 416;
  usage.map.invalid = false;
  usage.changed = {"AllocatedSectors", "Invalid"};
  EXPECT_EQ(json_text(event_json(usage), JsonMode::Short),
            R"({"event":"changed","name":"snap","properties":{"allocated_sectors":416,)"
            R"("invalid":false},"invalidated":[]})");
  EXPECT_EQ(format_event(usage), "changed snap allocated_sectors=416 invalid=false");
}

// The events a snapshot's own signals make.
TEST(TheEventLines, ShowAFillThresholdAndAnInvalidation) {
  MapEvent filled = MapEvent::of(MapEvent::Kind::FillCrossed, "snap");
  filled.percent = 85;
  EXPECT_EQ(format_event(filled), "filled snap 85%");
  EXPECT_EQ(json_text(event_json(filled), JsonMode::Short),
            R"({"event":"fill-threshold","name":"snap","percent":85})");
  const MapEvent invalidated = MapEvent::of(MapEvent::Kind::Invalidated, "snap");
  EXPECT_EQ(format_event(invalidated), "invalidated snap");
  EXPECT_EQ(json_text(event_json(invalidated), JsonMode::Short),
            R"({"event":"invalidated","name":"snap"})");
}

TEST(TableLines, ArePrefixedWithTheNameOnlyWhenAsked) {
  const std::string table = "0 8 linear 7:1 0\n8 8 linear 7:2 0\n";
  EXPECT_EQ(format_lines("a", table, false), table);
  EXPECT_EQ(format_lines("a", table, true), "a: 0 8 linear 7:1 0\na: 8 8 linear 7:2 0\n");
  EXPECT_EQ(format_lines("a", "", true), "");
}

TEST(SplitLines, IgnoresTheTrailingNewline) {
  EXPECT_EQ(split_lines("a\nb\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_lines("a\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_lines("").empty());
}

MapEvent state_change() {
  MapEvent event = MapEvent::of(MapEvent::Kind::Changed, "twoasone");
  event.map.state = "suspended";
  event.map.snapshots = {"s1", "s2"};
  event.changed = {"State", "Snapshots"};
  event.invalidated = {"OpenCount"};
  return event;
}

TEST(AMonitorLine, ShowsOnlyTheChangedProperties) {
  EXPECT_EQ(format_event(state_change()),
            "changed twoasone state=suspended snapshots=s1,s2 open_count=?");
}

TEST(AMonitorJsonLine, ShowsOnlyTheChangedPropertiesUnderTheirMapKeys) {
  EXPECT_EQ(event_json(state_change()).dump(),
            R"({"event":"changed","name":"twoasone","properties":{"state":"suspended",)"
            R"("snapshots":["s1","s2"]},"invalidated":["open_count"]})");
}

TEST(AMonitorLine, ShowsTheDevicesAMapNowMisses) {
  MapEvent event = MapEvent::of(MapEvent::Kind::Changed, "twoasone");
  event.map.state = "degraded";
  event.map.missing_devices = {"7:1", "7:2"};
  event.changed = {"State", "MissingDevices"};
  EXPECT_EQ(format_event(event), "changed twoasone state=degraded missing_devices=7:1,7:2");
  EXPECT_EQ(event_json(event).dump(),
            R"({"event":"changed","name":"twoasone","properties":{"state":"degraded",)"
            R"("missing_devices":["7:1","7:2"]},"invalidated":[]})");
}

TEST(AMonitorLine, ShowsAddedAndRemovedMapsAndTheDaemon) {
  MapEvent added = MapEvent::of(MapEvent::Kind::Added, "twoasone");
  added.map = twoasone();
  EXPECT_EQ(format_event(added), "added twoasone (254:3) 8192 sectors active");
  EXPECT_EQ(format_event(MapEvent::of(MapEvent::Kind::Removed, "twoasone")), "removed twoasone");
  EXPECT_EQ(format_event(MapEvent::of(MapEvent::Kind::DaemonStopped)), "mapperd stopped");
  EXPECT_EQ(event_json(MapEvent::of(MapEvent::Kind::Removed, "x")).dump(),
            R"({"event":"removed","name":"x"})");
}

}  // namespace
}  // namespace mapperctl

namespace mapperctl {
namespace {

MapInfo concise_map(std::string name, std::uint32_t minor, std::string table,
                    std::vector<std::string> dependencies = {}) {
  MapInfo map;
  map.name = std::move(name);
  map.uuid = "MAPPERD-" + map.name;
  map.major = 254;
  map.minor = minor;
  map.table = std::move(table);
  map.dependencies = std::move(dependencies);
  return map;
}

TEST(TheConciseForm, IsWhatDmsetupCreateConciseReads) {
  MapInfo twoasone =
      concise_map("twoasone", 3, "0 4096 linear 7:1 0\n4096 4096 linear 7:2 0\n", {"7:1", "7:2"});
  MapInfo zero = concise_map("z", 4, "0 8 zero\n");
  zero.read_only = true;
  EXPECT_EQ(format_concise({twoasone, zero}),
            "twoasone,MAPPERD-twoasone,3,rw,0 4096 linear 7:1 0,4096 4096 linear 7:2 0;"
            "z,MAPPERD-z,4,ro,0 8 zero\n");
  EXPECT_EQ(format_concise({}), "");
}

TEST(TheConciseForm, PutsAMapAfterTheMapsItIsBuiltOn) {
  // "a-top" sorts first but sits on 254:7, which is "b-bottom".
  const MapInfo top = concise_map("a-top", 8, "0 8 linear 254:7 0\n", {"254:7"});
  const MapInfo bottom = concise_map("b-bottom", 7, "0 8 linear 7:1 0\n", {"7:1"});
  EXPECT_EQ(format_concise({top, bottom}),
            "b-bottom,MAPPERD-b-bottom,7,rw,0 8 linear 7:1 0;"
            "a-top,MAPPERD-a-top,8,rw,0 8 linear 254:7 0\n");
}

TEST(TheConciseForm, EscapesItsSeparatorsInsideAField) {
  MapInfo odd = concise_map("a,b;c\\d", 1, "0 8 zero\n");
  odd.uuid.clear();
  EXPECT_EQ(format_concise({odd}), "a\\,b\\;c\\\\d,,1,rw,0 8 zero\n");
}

}  // namespace
}  // namespace mapperctl
