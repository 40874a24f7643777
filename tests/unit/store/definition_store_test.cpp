// The persistent definitions in /etc/mapperd: what is saved loads back, a file that cannot be
// used is quarantined with its reason while the others still load, and a crash at any point
// leaves either the old definition or the new one.
#include "store/definition_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "model/error.h"
#include "store/definition_format.h"
#include "store_test_support.h"

namespace mapperd {
namespace {

using testing::demo_backing;
using testing::disk_map;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ScratchDirectory;
using ::testing::SizeIs;
using ::testing::StartsWith;
using testing::two_loop_map;

ErrorKind kind_of_failure(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no Error was thrown";
  return ErrorKind::Failed;
}

class ADefinitionStore : public ::testing::Test {
 protected:
  // A store holding "twoasone" and one loop, beside which each test puts a bad file.
  void save_good_ones() {
    store_.save_map(two_loop_map());
    store_.save_loop(LoopDefinition{demo_backing("/var/lib/mapperd-demo/disk0.img", 131074)});
  }

  // Loads with FILE (under maps/) holding TEXT beside the good definitions, and expects FILE
  // quarantined for a reason containing REASON while the good ones still load.
  void expect_quarantined(const std::string& file, std::string_view text,
                          const std::string& reason) {
    save_good_ones();
    scratch_.write("maps/" + file, text);
    const StoredDefinitions loaded = store_.load();
    EXPECT_THAT(loaded.maps, ElementsAre(two_loop_map())) << "the good map must still load";
    EXPECT_THAT(loaded.loops, SizeIs(1)) << "the loop must still load";
    ASSERT_THAT(loaded.quarantined, SizeIs(1));
    const QuarantinedFile& quarantined = loaded.quarantined[0];
    EXPECT_EQ(quarantined.file, scratch_ / "maps" / file);
    EXPECT_THAT(quarantined.reason, HasSubstr(reason));
    EXPECT_EQ(quarantined.moved_to.parent_path(), scratch_ / "quarantine" / "maps");
    EXPECT_THAT(quarantined.moved_to.filename().string(), StartsWith(file + "."));
    EXPECT_FALSE(scratch_.has("maps/" + file)) << "the bad file must be out of maps/";
    EXPECT_EQ(scratch_.read(quarantined.moved_to.lexically_relative(scratch_.path())), text)
        << "the quarantined file must be kept as it was";
    EXPECT_THAT(store_.load().quarantined, IsEmpty()) << "a quarantined file is reported once";
  }

  ScratchDirectory scratch_;
  DefinitionStore store_{scratch_.path()};
};

TEST_F(ADefinitionStore, ThatIsEmptyLoadsNothingAndMakesNothing) {
  DefinitionStore store(scratch_ / "etc" / "mapperd");
  const StoredDefinitions loaded = store.load();
  EXPECT_THAT(loaded.maps, IsEmpty());
  EXPECT_THAT(loaded.loops, IsEmpty());
  EXPECT_THAT(loaded.quarantined, IsEmpty());
  EXPECT_FALSE(scratch_.has("etc"));
}

TEST_F(ADefinitionStore, MakesItsDirectoriesOnTheFirstWrite) {
  DefinitionStore store(scratch_ / "etc" / "mapperd");
  store.save_map(two_loop_map());
  EXPECT_THAT(scratch_.names_in("etc/mapperd"), ElementsAre("loops", "maps"));
  EXPECT_THAT(scratch_.names_in("etc/mapperd/maps"), ElementsAre("twoasone.json"));
  EXPECT_EQ(store.directory(), scratch_ / "etc" / "mapperd");
}

TEST_F(ADefinitionStore, LoadsWhatItSaved) {
  store_.save_map(disk_map("zeta"));
  store_.save_map(two_loop_map());
  store_.save_map(disk_map("a-b"));
  store_.save_map(disk_map("a"));
  LoopBacking late = demo_backing("/var/lib/b.img", 7);
  LoopBacking early = demo_backing("/var/lib/a.img", 8);
  LoopBacking early_far = early;
  early_far.offset = 1 << 20;
  store_.save_loop(LoopDefinition{late});
  store_.save_loop(LoopDefinition{early_far});
  store_.save_loop(LoopDefinition{early});

  const StoredDefinitions loaded = DefinitionStore(scratch_.path()).load();
  EXPECT_THAT(loaded.maps,
              ElementsAre(disk_map("a"), disk_map("a-b"), two_loop_map(), disk_map("zeta")));
  EXPECT_THAT(loaded.loops,
              ElementsAre(LoopDefinition{early}, LoopDefinition{early_far}, LoopDefinition{late}));
  EXPECT_THAT(loaded.quarantined, IsEmpty());
  EXPECT_THAT(
      scratch_.names_in("loops"),
      ElementsAre("var-lib-a.img@0.json", "var-lib-a.img@1048576.json", "var-lib-b.img@0.json"));
}

TEST_F(ADefinitionStore, SavingAgainReplacesTheDefinition) {
  store_.save_map(two_loop_map());
  MapDefinition changed = two_loop_map();
  changed.table = "0 4096 zero\n";
  changed.devices.clear();
  store_.save_map(changed);
  EXPECT_THAT(store_.load().maps, ElementsAre(changed));
}

TEST_F(ADefinitionStore, QuarantinesAFileThatIsNotJson) {
  expect_quarantined("broken.json", "this is not json\n", "not valid JSON: parse error at line 1");
}

// One damaged file costs one map: a number no double holds must not stop the whole load.
TEST_F(ADefinitionStore, QuarantinesAFileWithANumberBeyondADoublesRange) {
  std::string text = store::format_map(disk_map("huge"), 1);
  text.replace(text.find("\"generation\": 1"), 15, "\"generation\": 1e400");
  expect_quarantined("huge.json", text, "number overflow parsing '1e400'");
}

TEST_F(ADefinitionStore, QuarantinesATruncatedFile) {
  const std::string whole = store::format_map(disk_map("cut"), 1);
  // Cut where a crash of a writer without a temporary file could cut it: between two lines.
  expect_quarantined("cut.json", whole.substr(0, whole.find("\"table\"")),
                     "unexpected end of input");
}

TEST_F(ADefinitionStore, QuarantinesAnEmptyFile) {
  expect_quarantined("empty.json", "", "the file is empty");
}

TEST_F(ADefinitionStore, QuarantinesAFileWithAFieldOfTheWrongType) {
  std::string text = store::format_map(disk_map("typed"), 1);
  text.replace(text.find("\"read-only\": false"), 18, "\"read-only\": 0");
  expect_quarantined("typed.json", text,
                     "field 'read-only': expected true or false, found number 0");
}

TEST_F(ADefinitionStore, QuarantinesAFileWithAMissingField) {
  std::string text = store::format_map(disk_map("partial"), 1);
  const std::string line = "\"uuid\": \"MAPPERD-partial\",";
  text.erase(text.find(line), line.size());
  expect_quarantined("partial.json", text, "field 'uuid': missing");
}

TEST_F(ADefinitionStore, QuarantinesAFileFromANewerMapperd) {
  std::string text = store::format_map(disk_map("future"), 1);
  text.replace(text.find("\"format\": 1"), 11, "\"format\": 2");
  expect_quarantined("future.json", text,
                     "written by a newer mapperd (format 2; this one reads 1)");
}

TEST_F(ADefinitionStore, QuarantinesAFileWhoseNameDisagreesWithItsMap) {
  expect_quarantined("other.json", store::format_map(disk_map("someone"), 1),
                     "field 'name': 'someone' does not match the file name 'other.json'");
}

TEST_F(ADefinitionStore, QuarantinesAFileWithABadDeviceNumber) {
  std::string text = store::format_map(disk_map("numbered"), 1);
  text.replace(text.find("\"number\": \"8:17\""), 16, "\"number\": \"8:x\"");
  expect_quarantined("numbered.json", text, "field 'devices[0].number': '8:x' is not a device");
}

TEST_F(ADefinitionStore, QuarantinesAFileNamedAsNoMapCanBe) {
  expect_quarantined("control.json", store::format_map(disk_map("controlled"), 1),
                     "does not match the file name 'control.json'");
}

TEST_F(ADefinitionStore, QuarantinesAStrayFileEachTimeUnderItsOwnName) {
  scratch_.write("maps/bad.json", "1");
  const StoredDefinitions first = store_.load();
  scratch_.write("maps/bad.json", "2");
  const StoredDefinitions second = store_.load();
  ASSERT_THAT(first.quarantined, SizeIs(1));
  ASSERT_THAT(second.quarantined, SizeIs(1));
  EXPECT_NE(first.quarantined[0].moved_to, second.quarantined[0].moved_to);
  EXPECT_EQ(scratch_.read(first.quarantined[0].moved_to.lexically_relative(scratch_.path())), "1");
  EXPECT_EQ(scratch_.read(second.quarantined[0].moved_to.lexically_relative(scratch_.path())), "2");
}

TEST_F(ADefinitionStore, QuarantinesALoopFileUnderAnotherName) {
  save_good_ones();
  const std::string text = store::format_loop(LoopDefinition{demo_backing("/srv/x.img", 1)});
  scratch_.write("loops/srv-y.img@0.json", text);
  scratch_.write("loops/garbage@0.json", "{");
  const StoredDefinitions loaded = store_.load();
  EXPECT_THAT(loaded.maps, ElementsAre(two_loop_map()));
  EXPECT_THAT(loaded.loops, SizeIs(1));
  ASSERT_THAT(loaded.quarantined, SizeIs(2));
  EXPECT_EQ(loaded.quarantined[0].file, scratch_ / "loops" / "garbage@0.json");
  EXPECT_EQ(loaded.quarantined[0].moved_to.parent_path(), scratch_ / "quarantine" / "loops");
  EXPECT_EQ(loaded.quarantined[1].file, scratch_ / "loops" / "srv-y.img@0.json");
  EXPECT_THAT(loaded.quarantined[1].reason,
              HasSubstr("'srv-y.img@0.json' does not match 'srv-x.img@0.json'"));
}

// A rename that a crash cut between its write and its removal leaves two files for one UUID.
TEST_F(ADefinitionStore, WithTwoFilesForOneUuidKeepsTheOneWrittenLast) {
  MapDefinition before = two_loop_map();
  before.name = "zz-old-name";
  store_.save_map(before);
  store_.save_map(two_loop_map());  // "twoasone", written later, sorts first by name

  const StoredDefinitions loaded = DefinitionStore(scratch_.path()).load();
  EXPECT_THAT(loaded.maps, ElementsAre(two_loop_map()));
  ASSERT_THAT(loaded.quarantined, SizeIs(1));
  EXPECT_EQ(loaded.quarantined[0].file, scratch_ / "maps" / "zz-old-name.json");
  EXPECT_THAT(loaded.quarantined[0].reason,
              HasSubstr("same UUID 'MAPPERD-6f1c9a1e2b7d4c0e8a5f3b2d1c0e9f8a' as "
                        "maps/twoasone.json, which was written later"));
}

TEST_F(ADefinitionStore, WithTwoFilesForOneUuidKeepsTheLaterEvenWhenItSortsLast) {
  store_.save_map(two_loop_map());
  MapDefinition after = two_loop_map();
  after.name = "zz-new-name";
  store_.save_map(after);

  const StoredDefinitions loaded = DefinitionStore(scratch_.path()).load();
  EXPECT_THAT(loaded.maps, ElementsAre(after));
  ASSERT_THAT(loaded.quarantined, SizeIs(1));
  EXPECT_EQ(loaded.quarantined[0].file, scratch_ / "maps" / "twoasone.json");
  EXPECT_THAT(loaded.quarantined[0].reason, HasSubstr("as maps/zz-new-name.json"));
}

TEST_F(ADefinitionStore, WritesLaterGenerationsThanItLoaded) {
  for (int i = 0; i < 5; ++i)
    store_.save_map(disk_map("busy"));
  DefinitionStore restarted(scratch_.path());
  restarted.load();
  restarted.save_map(disk_map("fresh"));
  EXPECT_EQ(store::parse_map(scratch_.read("maps/busy.json")).generation, 5u);
  EXPECT_EQ(store::parse_map(scratch_.read("maps/fresh.json")).generation, 6u);
}

TEST_F(ADefinitionStore, RenamesByWritingTheNewFileAndRemovingTheOld) {
  store_.save_map(two_loop_map());
  MapDefinition renamed = two_loop_map();
  renamed.name = "renamed";
  store_.rename_map("twoasone", renamed);
  EXPECT_THAT(scratch_.names_in("maps"), ElementsAre("renamed.json"));
  EXPECT_THAT(store_.load().maps, ElementsAre(renamed));
}

// The old file's removal is made to fail (a directory is in its place): the new file must be
// there already, so that a crash at that point loses nothing.
TEST_F(ADefinitionStore, RenamesByWritingTheNewFileBeforeRemovingTheOld) {
  std::filesystem::create_directories(scratch_ / "maps" / "twoasone.json" / "inside");
  MapDefinition renamed = two_loop_map();
  renamed.name = "renamed";
  EXPECT_EQ(kind_of_failure([&] { store_.rename_map("twoasone", renamed); }), ErrorKind::Store);
  EXPECT_EQ(store::parse_map(scratch_.read("maps/renamed.json")).definition, renamed);
}

// A store that did not load still writes the new name as the later file.
TEST_F(ADefinitionStore, RenamesToAFileLaterThanTheOldOne) {
  for (int i = 0; i < 3; ++i)
    store_.save_map(two_loop_map());
  MapDefinition renamed = two_loop_map();
  renamed.name = "renamed";
  DefinitionStore(scratch_.path()).rename_map("twoasone", renamed);
  EXPECT_EQ(store::parse_map(scratch_.read("maps/renamed.json")).generation, 4u);
}

TEST_F(ADefinitionStore, RenamingToTheSameNameSavesIt) {
  store_.save_map(two_loop_map());
  MapDefinition changed = two_loop_map();
  changed.read_only = true;
  store_.rename_map("twoasone", changed);
  EXPECT_THAT(store_.load().maps, ElementsAre(changed));
}

TEST_F(ADefinitionStore, RemovesAMapAndALoop) {
  save_good_ones();
  store_.remove_map("twoasone");
  store_.remove_loop(demo_backing("/var/lib/mapperd-demo/disk0.img", 131074));
  const StoredDefinitions loaded = store_.load();
  EXPECT_THAT(loaded.maps, IsEmpty());
  EXPECT_THAT(loaded.loops, IsEmpty());
}

TEST_F(ADefinitionStore, RemovesWhatIsNotThereWithoutComplaint) {
  store_.remove_map("never-saved");
  store_.remove_loop(demo_backing("/never/saved.img", 1));
  DefinitionStore(scratch_ / "no-such-directory").remove_map("never-saved");
}

TEST_F(ADefinitionStore, ClearsLeftoverTemporaryFilesAndKeepsTheirTargets) {
  store_.save_map(two_loop_map());
  scratch_.write("maps/.twoasone.json.tmp-Ab12Cd", "{\"format\": 1, \"kin");
  scratch_.write("loops/.var-lib-x.img@0.json.tmp-xyzXYZ", "");
  scratch_.write("maps/README", "notes of the administrator");
  const StoredDefinitions loaded = store_.load();
  EXPECT_THAT(loaded.maps, ElementsAre(two_loop_map()));
  EXPECT_THAT(loaded.quarantined, IsEmpty());
  EXPECT_THAT(scratch_.names_in("maps"), ElementsAre("README", "twoasone.json"));
  EXPECT_THAT(scratch_.names_in("loops"), IsEmpty());
}

TEST_F(ADefinitionStore, RefusesNamesThatCannotBeFiles) {
  MapDefinition map = two_loop_map();
  map.name = ".twoasone";
  EXPECT_EQ(kind_of_failure([&] { store_.save_map(map); }), ErrorKind::InvalidName);
  map.name = "a/b";
  EXPECT_EQ(kind_of_failure([&] { store_.save_map(map); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([&] { store_.remove_map("../etc/passwd"); }), ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([&] { store_.rename_map(".x", two_loop_map()); }),
            ErrorKind::InvalidName);
  EXPECT_EQ(kind_of_failure([&] { store_.save_loop(LoopDefinition{demo_backing("x.img", 1)}); }),
            ErrorKind::InvalidArgument);
  EXPECT_FALSE(scratch_.has("maps"));
}

TEST_F(ADefinitionStore, RefusesADefinitionThatWouldNotLoad) {
  MapDefinition map = two_loop_map();
  map.uuid = "LVM-abc";
  EXPECT_EQ(kind_of_failure([&] { store_.save_map(map); }), ErrorKind::InvalidArgument);
  EXPECT_FALSE(scratch_.has("maps/twoasone.json"));
}

TEST_F(ADefinitionStore, WhoseDirectoryIsAFileThrowsAStoreErrorNamingIt) {
  scratch_.write("mapperd", "not a directory");
  DefinitionStore store(scratch_ / "mapperd");
  try {
    store.save_map(two_loop_map());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Store);
    EXPECT_THAT(e.what(), HasSubstr((scratch_ / "mapperd").string()));
  }
  EXPECT_EQ(kind_of_failure([&] { store.load(); }), ErrorKind::Store);
  EXPECT_EQ(scratch_.read("mapperd"), "not a directory");
}

}  // namespace
}  // namespace mapperd
