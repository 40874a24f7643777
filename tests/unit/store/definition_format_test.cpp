// The state files' text: every field round-trips, the layout is pinned by golden text (a change
// must be deliberate: docs/state-format.md and the format number go with it), and every way a
// file can be wrong is explained by field and reason.
#include "store/definition_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "model/error.h"
#include "store_test_support.h"

namespace mapperd::store {
namespace {

using testing::demo_backing;
using testing::disk_map;
using ::testing::HasSubstr;
using testing::two_loop_map;

// docs/state-format.md shows this file; keep the two the same.
constexpr std::string_view kTwoLoopMapText = R"({
  "format": 1,
  "kind": "map",
  "generation": 3,
  "name": "twoasone",
  "uuid": "MAPPERD-6f1c9a1e2b7d4c0e8a5f3b2d1c0e9f8a",
  "read-only": false,
  "created-by-uid": 1000,
  "table": "0 2048 linear /dev/loop0 0\n2048 2048 linear /dev/loop1 0\n",
  "devices": [
    {
      "reference": "/dev/loop0",
      "number": "7:0",
      "path": "/dev/loop0",
      "loop": {
        "file": "/var/lib/mapperd-demo/disk0.img",
        "file-device": "254:1",
        "inode": 131074,
        "offset": 0,
        "size-limit": 0,
        "read-only": false
      }
    },
    {
      "reference": "/dev/loop1",
      "number": "7:1",
      "path": "/dev/loop1",
      "loop": {
        "file": "/var/lib/mapperd-demo/disk1.img",
        "file-device": "254:1",
        "inode": 131075,
        "offset": 0,
        "size-limit": 0,
        "read-only": false
      }
    }
  ]
}
)";

constexpr std::string_view kLoopText = R"({
  "format": 1,
  "kind": "loop",
  "file": "/var/lib/mapperd-demo/disk0.img",
  "file-device": "254:1",
  "inode": 131074,
  "offset": 1048576,
  "size-limit": 536870912,
  "read-only": true
}
)";

// A definition with every field set to something other than its default.
MapDefinition every_field_map() {
  MapDefinition map = two_loop_map();
  map.read_only = true;
  map.created_by_uid = 4294967295u;
  LoopBacking& backing = *map.devices[0].identity.loop;
  backing.offset = 512;
  backing.size_limit = 1ull << 40;
  backing.read_only = true;
  backing.inode = 18446744073709551615ull;
  DeviceUse disk;
  disk.reference = "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1";
  disk.identity.number = DeviceNumber{4095, 1048575};
  disk.identity.path = "/dev/sdb1";
  disk.identity.wwn = "0x5000c500a1b2c3d4";
  disk.identity.serial = "ST2000DM008-2FR102_ZFL1ABCD";
  disk.identity.partition_uuid = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
  disk.identity.by_id = "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1";
  map.devices.push_back(disk);
  DeviceUse mapped;
  mapped.reference = "253:0";
  mapped.identity.number = DeviceNumber{253, 0};
  mapped.identity.path = "/dev/dm-0";
  mapped.identity.map_uuid = "MAPPERD-base";
  map.devices.push_back(mapped);
  return map;
}

// The FormatError that PARSE throws, or a test failure.
FormatError problem_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const FormatError& e) {
    return e;
  }
  ADD_FAILURE() << "no FormatError was thrown";
  return FormatError("", "");
}

FormatError map_problem(std::string_view text) {
  return problem_of([&] { parse_map(text); });
}

// The golden map text with FROM replaced by TO (once).
std::string golden_with(std::string_view from, std::string_view to) {
  std::string text(kTwoLoopMapText);
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

TEST(AMapFile, IsTheGoldenText) {
  EXPECT_EQ(format_map(two_loop_map(), 3), kTwoLoopMapText);
}

TEST(AMapFile, ReadsBackTheGoldenText) {
  const StoredMap stored = parse_map(kTwoLoopMapText);
  EXPECT_EQ(stored.definition, two_loop_map());
  EXPECT_EQ(stored.generation, 3u);
}

TEST(AMapFile, RoundTripsEveryField) {
  const MapDefinition map = every_field_map();
  const StoredMap stored = parse_map(format_map(map, 18446744073709551615ull));
  EXPECT_EQ(stored.definition, map);
  EXPECT_EQ(stored.generation, 18446744073709551615ull);
}

TEST(AMapFile, KeepsAPendingMergeAndReadsOlderFilesWithoutOneAsNone) {
  // The golden text is a file from before merges: it has no "merge-pending".
  EXPECT_FALSE(parse_map(kTwoLoopMapText).definition.merge_pending);
  EXPECT_THAT(format_map(two_loop_map(), 3), ::testing::Not(HasSubstr("merge-pending")));
  MapDefinition pending = two_loop_map();
  pending.merge_pending = true;
  const std::string text = format_map(pending, 3);
  EXPECT_THAT(text, HasSubstr("\"merge-pending\": true"));
  EXPECT_TRUE(parse_map(text).definition.merge_pending);
  EXPECT_THAT(map_problem(golden_with("\"table\"", "\"merge-pending\": 1,\n  \"table\"")).what(),
              HasSubstr("merge-pending"));
}

TEST(AMapFile, KeepsASnapshotPolicyAndWritesOnlyWhatIsNotTheDefault) {
  EXPECT_EQ(parse_map(kTwoLoopMapText).definition.snapshot_policy, SnapshotPolicy{});
  EXPECT_THAT(format_map(two_loop_map(), 3), ::testing::Not(HasSubstr("fill-thresholds")));
  EXPECT_THAT(format_map(two_loop_map(), 3), ::testing::Not(HasSubstr("extend")));
  MapDefinition snapshot = two_loop_map();
  snapshot.snapshot_policy = {
      .fill_thresholds = {50, 90}, .auto_extend = true, .extend_percent = 30};
  const std::string text = format_map(snapshot, 3);
  EXPECT_THAT(text, HasSubstr("\"auto-extend\": true"));
  EXPECT_THAT(text, HasSubstr("\"extend-percent\": 30"));
  EXPECT_EQ(parse_map(text).definition.snapshot_policy, snapshot.snapshot_policy);
}

TEST(AMapFile, WithAnUnusablePolicyIsRefusedNamingTheField) {
  EXPECT_THAT(
      map_problem(golden_with("\"table\"", "\"fill-thresholds\": [90, 80],\n  \"table\"")).what(),
      HasSubstr("field 'fill-thresholds': 80 after 90; they must increase"));
  EXPECT_THAT(
      map_problem(golden_with("\"table\"", "\"fill-thresholds\": [\"80\"],\n  \"table\"")).what(),
      HasSubstr("fill-thresholds[0]"));
  EXPECT_THAT(map_problem(golden_with("\"table\"", "\"extend-percent\": 0,\n  \"table\"")).what(),
              HasSubstr("field 'extend-percent': 0 is not between 1 and 100"));
  MapDefinition unusable = two_loop_map();
  unusable.snapshot_policy.fill_thresholds = {0};
  EXPECT_THROW(format_map(unusable, 1), Error);
}

TEST(AMapFile, HoldsOnlyTheIdentityFieldsThatAreSet) {
  const std::string text = format_map(every_field_map(), 1);
  EXPECT_THAT(text, HasSubstr(R"("wwn": "0x5000c500a1b2c3d4")"));
  EXPECT_THAT(text, HasSubstr(R"("by-id": "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1")"));
  EXPECT_THAT(text, HasSubstr(R"("partition-uuid": )"));
  EXPECT_THAT(text, HasSubstr(R"("map-uuid": "MAPPERD-base")"));
  const std::string plain = format_map(two_loop_map(), 1);
  for (const char* key : {"wwn", "serial", "partition-uuid", "by-id", "map-uuid"})
    EXPECT_THAT(plain, ::testing::Not(HasSubstr(std::string("\"") + key + "\""))) << key;
}

TEST(AMapFile, KeepsTextThatIsNotAscii) {
  MapDefinition map = disk_map("utf8");
  map.devices[0].identity.serial = "Disk \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xbe";
  EXPECT_EQ(parse_map(format_map(map, 1)).definition, map);
}

TEST(AMapFile, WithKeysThisMapperdDoesNotKnowIsReadAsIfTheyWereNotThere) {
  const std::string text = golden_with(R"("generation": 3,)",
                                       R"("generation": 3, "comment": "added later",
                                          "options": {"discard": true},)");
  EXPECT_EQ(parse_map(text).definition, two_loop_map());
}

TEST(AMapFile, ThatIsEmptyIsRefused) {
  EXPECT_EQ(std::string(map_problem("").what()), "the file is empty");
  EXPECT_EQ(std::string(map_problem("  \n").what()), "the file is empty");
}

TEST(AMapFile, ThatIsNotJsonIsRefused) {
  const FormatError problem = map_problem("name = twoasone\n");
  EXPECT_EQ(problem.field(), "");
  EXPECT_THAT(problem.what(), HasSubstr("not valid JSON: parse error at line 1, column 2"));
  EXPECT_THAT(problem.what(), ::testing::Not(HasSubstr("[json.exception")));
}

TEST(AMapFile, ThatIsTruncatedIsRefusedWithTheLine) {
  const std::string text(kTwoLoopMapText.substr(0, kTwoLoopMapText.find("\"devices\"")));
  EXPECT_THAT(map_problem(text).what(), HasSubstr("not valid JSON: parse error at line 10"));
  EXPECT_THAT(map_problem(text).what(), HasSubstr("unexpected end of input"));
}

// Found by fuzz-definition-file: the JSON parser reports a number beyond a double's range as
// out_of_range, not parse_error, and that went past the store's FormatError to its caller.
TEST(AMapFile, WithANumberBeyondADoublesRangeIsRefused) {
  const FormatError problem = map_problem(golden_with(R"("inode": 131075)", R"("inode": 1e400)"));
  EXPECT_EQ(problem.field(), "");
  EXPECT_THAT(problem.what(), HasSubstr("not valid JSON: number overflow parsing '1e400'"));
  EXPECT_THAT(problem.what(), ::testing::Not(HasSubstr("[json.exception")));
}

TEST(AMapFile, ThatIsNoObjectIsRefused) {
  EXPECT_EQ(std::string(map_problem("[1, 2]").what()), "not a JSON object but array");
}

TEST(AMapFile, FromANewerMapperdIsRefused) {
  const FormatError problem = map_problem(golden_with(R"("format": 1)", R"("format": 2)"));
  EXPECT_EQ(std::string(problem.what()), "written by a newer mapperd (format 2; this one reads 1)");
}

TEST(AMapFile, FromANewerMapperdIsRefusedWhateverElseIsInIt) {
  EXPECT_EQ(std::string(map_problem(R"({"format": 7, "kind": "pool"})").what()),
            "written by a newer mapperd (format 7; this one reads 1)");
}

TEST(AMapFile, WithoutAFormatIsRefused) {
  const FormatError problem = map_problem(R"({"kind": "map"})");
  EXPECT_EQ(problem.field(), "format");
  EXPECT_EQ(std::string(problem.what()), "field 'format': missing (this is no mapperd state file)");
  EXPECT_EQ(map_problem(golden_with(R"("format": 1)", R"("format": 0)")).field(), "format");
  EXPECT_EQ(map_problem(golden_with(R"("format": 1)", R"("format": "1")")).field(), "format");
}

TEST(AMapFile, OfAnotherKindIsRefused) {
  EXPECT_EQ(std::string(map_problem(kLoopText).what()),
            "field 'kind': 'loop' where 'map' was expected in this directory");
}

TEST(AMapFile, WithAMissingFieldSaysWhich) {
  for (const char* line :
       {R"("name": "twoasone",)", R"("uuid": "MAPPERD-6f1c9a1e2b7d4c0e8a5f3b2d1c0e9f8a",)",
        R"("read-only": false,)", R"("created-by-uid": 1000,)", R"("generation": 3,)"}) {
    const std::string key = std::string(line).substr(1, std::string(line).find('"', 1) - 1);
    const FormatError problem = map_problem(golden_with(line, ""));
    EXPECT_EQ(problem.field(), key);
    EXPECT_EQ(problem.why(), "missing");
    EXPECT_EQ(std::string(problem.what()), "field '" + key + "': missing");
  }
  EXPECT_EQ(map_problem(golden_with(R"("path": "/dev/loop1",)", "")).field(), "devices[1].path");
  EXPECT_EQ(map_problem(golden_with(R"("inode": 131074,)", "")).field(), "devices[0].loop.inode");
}

TEST(AMapFile, WithAFieldOfTheWrongTypeSaysWhichAndWhatItFound) {
  EXPECT_EQ(
      std::string(map_problem(golden_with(R"("table": "0 2048)", R"("table": 5, "x": "0)")).what()),
      "field 'table': expected a string, found number 5");
  EXPECT_EQ(
      std::string(map_problem(golden_with(R"("read-only": false)", R"("read-only": "no")")).what()),
      "field 'read-only': expected true or false, found string 'no'");
  EXPECT_EQ(
      std::string(
          map_problem(golden_with(R"("created-by-uid": 1000)", R"("created-by-uid": -1)")).what()),
      "field 'created-by-uid': expected a whole number from 0 to 4294967295, found number "
      "-1");
  EXPECT_EQ(map_problem(golden_with(R"("created-by-uid": 1000)", R"("created-by-uid": 4294967296)"))
                .field(),
            "created-by-uid");
  EXPECT_EQ(map_problem(golden_with(R"("inode": 131075)", R"("inode": 1.5)")).field(),
            "devices[1].loop.inode");
  EXPECT_EQ(map_problem(golden_with(R"("inode": 131075)", R"("inode": null)")).what(),
            std::string("field 'devices[1].loop.inode': expected a whole number from 0 to "
                        "18446744073709551615, found null"));
  EXPECT_EQ(std::string(map_problem(R"({"format": 1, "kind": "map", "generation": 1,
      "name": "a", "uuid": "MAPPERD-a", "read-only": false, "created-by-uid": 0,
      "table": "0 8 zero", "devices": {}})")
                            .what()),
            "field 'devices': expected a list, found object");
  EXPECT_EQ(std::string(map_problem(R"({"format": 1, "kind": "map", "generation": 1,
      "name": "a", "uuid": "MAPPERD-a", "read-only": false, "created-by-uid": 0,
      "table": "0 8 zero", "devices": ["7:0"]})")
                            .what()),
            "field 'devices[0]': expected an object, found string '7:0'");
}

TEST(AMapFile, WithABadDeviceNumberSaysWhichDevice) {
  const FormatError problem = map_problem(golden_with(R"("number": "7:1")", R"("number": "7x1")"));
  EXPECT_EQ(problem.field(), "devices[1].number");
  EXPECT_THAT(problem.what(), HasSubstr("'7x1' is not a device number MAJOR:MINOR"));
  EXPECT_EQ(map_problem(golden_with(R"("number": "7:1")", R"("number": "4096:0")")).field(),
            "devices[1].number");
  EXPECT_EQ(map_problem(golden_with(R"("file-device": "254:1")", R"("file-device": "")")).field(),
            "devices[0].loop.file-device");
}

TEST(AMapFile, WithValuesTheStoreWouldNeverWriteIsRefused) {
  EXPECT_EQ(map_problem(golden_with(R"("table": "0 2048 linear /dev/loop0 0\n2048 2048 linear )"
                                    R"(/dev/loop1 0\n")",
                                    R"("table": "")"))
                .field(),
            "table");
  EXPECT_EQ(map_problem(golden_with(R"("uuid": "MAPPERD-)", R"("uuid": "LVM-)")).field(), "uuid");
  EXPECT_EQ(map_problem(golden_with(R"("name": "twoasone")", R"("name": ".twoasone")")).field(),
            "name");
  EXPECT_EQ(map_problem(golden_with(R"("name": "twoasone")", R"("name": "a/b")")).field(), "name");
  EXPECT_EQ(map_problem(golden_with(R"("reference": "/dev/loop0")", R"("reference": "")")).field(),
            "devices[0].reference");
  EXPECT_EQ(map_problem(golden_with(R"("file": "/var/lib/mapperd-demo/disk0.img")",
                                    R"("file": "disk0.img")"))
                .field(),
            "devices[0].loop.file");
  EXPECT_EQ(map_problem(golden_with(R"("name": "twoasone")", R"("name": "two\u0000")")).field(),
            "name");
}

TEST(FormattingAMap, RefusesWhatCouldNotBeReadBack) {
  const auto kind_of = [](const MapDefinition& map) {
    try {
      format_map(map, 1);
    } catch (const FormatError&) {
      ADD_FAILURE() << "a FormatError is for reading";
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Failed;
  };
  MapDefinition map = two_loop_map();
  map.name = ".hidden";
  EXPECT_EQ(kind_of(map), ErrorKind::InvalidName);
  map = two_loop_map();
  map.uuid = "CRYPT-abc";
  EXPECT_EQ(kind_of(map), ErrorKind::InvalidArgument);
  map = two_loop_map();
  map.table.clear();
  EXPECT_EQ(kind_of(map), ErrorKind::InvalidArgument);
  map = two_loop_map();
  map.devices[1].identity.number = DeviceNumber{4096, 0};
  EXPECT_EQ(kind_of(map), ErrorKind::InvalidArgument);
  map = two_loop_map();
  map.devices[1].identity.loop->file = "relative.img";
  EXPECT_EQ(kind_of(map), ErrorKind::InvalidArgument);
}

TEST(FormattingAMap, RefusesTextThatIsNotUtf8AndSaysWhere) {
  MapDefinition map = two_loop_map();
  map.devices[1].identity.loop->file = "/srv/latin1-\xe9t\xe9.img";
  try {
    format_map(map, 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("field 'devices[1].loop.file': not valid UTF-8"));
    EXPECT_THAT(e.what(), HasSubstr("cannot store map 'twoasone'"));
  }
}

TEST(ALoopFile, IsTheGoldenText) {
  LoopBacking backing = demo_backing("/var/lib/mapperd-demo/disk0.img", 131074);
  backing.offset = 1048576;
  backing.size_limit = 536870912;
  backing.read_only = true;
  EXPECT_EQ(format_loop(LoopDefinition{backing}), kLoopText);
  EXPECT_EQ(parse_loop(kLoopText), LoopDefinition{backing});
}

TEST(ALoopFile, WithAMapInItIsRefused) {
  EXPECT_EQ(problem_of([] { parse_loop(kTwoLoopMapText); }).field(), "kind");
}

TEST(ALoopFile, WithoutItsFileIsRefused) {
  EXPECT_EQ(
      std::string(problem_of([] {
                    parse_loop(R"({"format": 1, "kind": "loop", "file-device": "254:1", "inode": 1,
                             "offset": 0, "size-limit": 0, "read-only": false})");
                  }).what()),
      "field 'file': missing");
}

TEST(ARuntimeFactsFile, RoundTripsEveryField) {
  const RuntimeMapFacts facts{"MAPPERD-abc", false, 1000};
  const std::string text = format_facts(facts);
  EXPECT_EQ(text, R"({
  "format": 1,
  "kind": "map-facts",
  "uuid": "MAPPERD-abc",
  "persistent": false,
  "created-by-uid": 1000
}
)");
  EXPECT_EQ(parse_facts(text), facts);
  EXPECT_EQ(parse_facts(format_facts(RuntimeMapFacts{"MAPPERD-x", true, 0})),
            (RuntimeMapFacts{"MAPPERD-x", true, 0}));
}

TEST(ARuntimeFactsFile, KeepsATransientSnapshotsPolicy) {
  RuntimeMapFacts facts{"MAPPERD-abc", false, 1000};
  facts.snapshot_policy = {.fill_thresholds = {60}, .auto_extend = true};
  const std::string text = format_facts(facts);
  EXPECT_THAT(text, HasSubstr("\"fill-thresholds\": [\n    60\n  ]"));
  EXPECT_EQ(parse_facts(text), facts);
}

TEST(ARuntimeFactsFile, OfAMapNotOursIsRefused) {
  EXPECT_EQ(problem_of([] {
              parse_facts(R"({"format": 1, "kind": "map-facts", "uuid": "LVM-abc",
                              "persistent": true, "created-by-uid": 0})");
            }).field(),
            "uuid");
}

TEST(AnIntentFile, RoundTripsEveryField) {
  OperationIntent intent;
  intent.id = "snapshot-42";
  intent.kind = "snapshot";
  intent.maps = {"base", "base-snap", "base-real"};
  intent.to_save = {every_field_map(), disk_map("base-snap")};
  intent.to_remove = {"old"};
  EXPECT_EQ(parse_intent(format_intent(intent)), intent);
  EXPECT_EQ(parse_intent(format_intent(OperationIntent{"remove-1", "remove", {"a"}, {}, {"a"}})),
            (OperationIntent{"remove-1", "remove", {"a"}, {}, {"a"}}));
}

TEST(AnIntentFile, SaysWhichOfItsMapsIsWrong) {
  OperationIntent intent{"create-1", "create", {"a"}, {disk_map("a")}, {}};
  std::string text = format_intent(intent);
  const std::string table = R"("table": "0 8)";
  text.replace(text.find(table), table.size(), R"("table": 8, "x": "0 8)");
  EXPECT_EQ(problem_of([&] { parse_intent(text); }).field(), "to-save[0].table");
  text = format_intent(intent);
  text.replace(text.find(R"("maps": [)"), 9, R"("maps": [7, )");
  EXPECT_EQ(problem_of([&] { parse_intent(text); }).field(), "maps[0]");
}

TEST(FormattingAnIntent, RefusesAnIdThatCannotBeAFileName) {
  try {
    format_intent(OperationIntent{"../x", "create", {}, {}, {}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidName);
  }
}

}  // namespace
}  // namespace mapperd::store
