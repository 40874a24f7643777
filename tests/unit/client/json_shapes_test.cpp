// The --json schema docs/mapperctl.md documents (JSON OUTPUT, ERRORS IN JSON), held here: the
// shape of each verb's output does not depend on how many names it was given, every change
// reports what it made, and an error is one object on stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "json_output.h"
#include "mapperctl_fixture.h"

namespace mapperctl::testing {
namespace {

using ::testing::ElementsAre;

Json parsed(const std::string& text) {
  return Json::parse(text);
}

std::vector<std::string> names_in(const Json& array) {
  std::vector<std::string> names;
  for (const Json& item : array)
    names.push_back(item.at("name").get<std::string>());
  return names;
}

class JsonShapes : public Mapperctl {
 protected:
  void SetUp() override {
    mapperd_.add_map("a", 1, "0 8 linear 7:1 0\n");
    mapperd_.add_map("b", 2, "0 8 linear 7:2 0\n");
  }
};

// The fields of a map object, in order (docs/mapperctl.md, "The map object").
const std::vector<std::string> kMapFields = {"name",
                                             "uuid",
                                             "owner",
                                             "device_path",
                                             "major",
                                             "minor",
                                             "size",
                                             "state",
                                             "read_only",
                                             "persistent",
                                             "open_count",
                                             "owned",
                                             "created_by_uid",
                                             "dependencies",
                                             "missing_devices",
                                             "table",
                                             "snapshot_origin",
                                             "snapshots",
                                             "allocated_sectors",
                                             "total_sectors",
                                             "metadata_sectors",
                                             "fill_percent",
                                             "invalid",
                                             "merge_pending",
                                             "fill_thresholds",
                                             "cow_file",
                                             "auto_extend",
                                             "object_path"};

std::vector<std::string> keys_of(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items())
    keys.push_back(key);
  return keys;
}

TEST_F(JsonShapes, InfoTableAndStatusPrintAnArrayForOneNameAsForSeveral) {
  for (const std::string verb : {"info", "table", "status"}) {
    const Result one = run({verb, "a", "--json"});
    ASSERT_EQ(one.status, 0) << verb << ": " << one.err;
    EXPECT_THAT(names_in(parsed(one.out)), ElementsAre("a")) << verb;
    EXPECT_THAT(names_in(parsed(run({verb, "b", "a", "--json"}).out)), ElementsAre("b", "a"))
        << verb;
    EXPECT_THAT(names_in(parsed(run({verb, "--json"}).out)), ElementsAre("a", "b")) << verb;
  }
}

TEST_F(JsonShapes, KeepTheirFieldNames) {
  EXPECT_EQ(keys_of(parsed(run({"info", "a", "-j"}).out).at(0)), kMapFields);
  EXPECT_THAT(keys_of(parsed(run({"table", "a", "-j"}).out).at(0)), ElementsAre("name", "table"));
  EXPECT_THAT(keys_of(parsed(run({"status", "a", "-j"}).out).at(0)), ElementsAre("name", "status"));
  EXPECT_EQ(parsed(run({"table", "a", "-j"}).out).at(0).at("table"),
            Json::parse(R"(["0 8 linear 7:1 0"])"));
}

TEST_F(JsonShapes, AnEmptySelectionIsAnEmptyArray) {
  mapperd_.maps.clear();
  for (const std::string verb : {"info", "table", "status", "ls"})
    EXPECT_EQ(run({verb, "--json"}).out, "[]\n") << verb;
}

TEST_F(JsonShapes, PrettyIsTheSameDocumentIndented) {
  const Result pretty = run({"info", "a", "--json=pretty"});
  const Result short_form = run({"info", "a", "--json=short"});
  EXPECT_THAT(pretty.out, ::testing::HasSubstr("\n  {\n    \"name\": \"a\",\n"));
  EXPECT_EQ(short_form.out.find('\n'), short_form.out.size() - 1);
  EXPECT_EQ(parsed(pretty.out), parsed(short_form.out));
  EXPECT_EQ(run({"info", "a", "--json"}).out, short_form.out);
}

TEST_F(JsonShapes, CreatePrintsTheMapItMadeWithItsObjectPath) {
  const Result result = run({"create", "new_name", "--json", "--table", "0 8 zero"});
  ASSERT_EQ(result.status, 0) << result.err;
  const Json map = parsed(result.out);
  EXPECT_EQ(keys_of(map), kMapFields);
  EXPECT_EQ(map.at("name"), "new_name");
  EXPECT_EQ(map.at("object_path"), "/org/mapperd/Mapper1/map/new_5fname");
  EXPECT_EQ(run({"create", "quiet", "--table", "0 8 zero"}).out, "");
}

TEST_F(JsonShapes, RemovePrintsWhatItRemoved) {
  const Result result = run({"remove", "a", "b", "--json"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(parsed(result.out), Json::parse(R"([
    {"name":"a","object_path":"/org/mapperd/Mapper1/map/a","kept_definition":false},
    {"name":"b","object_path":"/org/mapperd/Mapper1/map/b","kept_definition":false}])"));
}

TEST_F(JsonShapes, SuspendResumeReloadAndRenamePrintTheMapsAsTheyAreNow) {
  EXPECT_THAT(names_in(parsed(run({"suspend", "a", "--json"}).out)), ElementsAre("a"));
  EXPECT_THAT(names_in(parsed(run({"resume", "a", "b", "--json"}).out)), ElementsAre("a", "b"));
  const Json reloaded = parsed(run({"reload", "a", "--table", "0 8 zero", "--json"}).out);
  EXPECT_EQ(reloaded.at("name"), "a");
  const Json renamed = parsed(run({"rename", "a", "c", "--json"}).out);
  EXPECT_EQ(renamed.at("name"), "c");
  EXPECT_EQ(renamed.at("object_path"), "/org/mapperd/Mapper1/map/c");
}

TEST_F(JsonShapes, SnapshotAndSplitPrintTheMapsTheyMade) {
  const Json snapshot = parsed(run({"snapshot", "a", "snap", "/dev/loop9", "--json"}).out);
  EXPECT_EQ(snapshot.at("name"), "snap");
  EXPECT_EQ(snapshot.at("snapshot_origin"), "a");
}

TEST_F(JsonShapes, AnErrorIsOneObjectOnStderrWithTheBusErrorNameAndTheExitStatus) {
  const Result result = run({"info", "nosuch", "--json"});
  EXPECT_EQ(result.status, 3);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(parsed(result.err), Json::parse(R"({"error":"org.mapperd.Mapper1.Error.NotFound",
      "message":"no map named 'nosuch'","exit_status":3,"subject":"info nosuch"})"));
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1);
}

TEST_F(JsonShapes, AnErrorTheDaemonNamedKeepsItsName) {
  mapperd_.fail("remove a", CommandError(ExitStatus::AccessDenied, "permission denied", "",
                                         "org.freedesktop.DBus.Error.AccessDenied"));
  const Result result = run({"remove", "a", "--json"});
  EXPECT_EQ(result.status, 4);
  const Json error = parsed(result.err);
  EXPECT_EQ(error.at("error"), "org.freedesktop.DBus.Error.AccessDenied");
  EXPECT_EQ(error.at("exit_status"), 4);
  EXPECT_EQ(error.at("message"), "permission denied");
}

TEST_F(JsonShapes, AUsageErrorIsAnObjectWithNoBusErrorAndExitStatusTwo) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--json", "frobnicate"},
                                               {"ls", "--json", "--bogus"},
                                               {"--json=long", "ls"},
                                               {"-j", "create"}}) {
    const Result result = run(args);
    EXPECT_EQ(result.status, 2) << args.back();
    const Json error = parsed(result.err);
    EXPECT_TRUE(error.at("error").is_null()) << result.err;
    EXPECT_EQ(error.at("exit_status"), 2);
    EXPECT_FALSE(error.at("message").get<std::string>().empty());
  }
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(JsonShapes, AnErrorFoundBeforeAskingCarriesTheNameMapperdWouldHaveAnswered) {
  const Result result = run({"create", "bad/name", "--table", "0 8 zero", "--json"});
  EXPECT_EQ(result.status, 6);
  EXPECT_EQ(parsed(result.err).at("error"), "org.mapperd.Mapper1.Error.InvalidName");
}

TEST_F(JsonShapes, WithoutJsonAnErrorStaysALineOfText) {
  const Result result = run({"info", "nosuch"});
  EXPECT_EQ(result.err, "mapperctl: info nosuch: no map named 'nosuch'\n");
}

}  // namespace
}  // namespace mapperctl::testing

namespace mapperctl::testing {
namespace {

TEST_F(JsonShapes, TableConciseIsTextAndRefusesJson) {
  EXPECT_EQ(run({"table", "--concise", "a"}).out, "a,MAPPERD-a,1,rw,0 8 linear 7:1 0\n");
  EXPECT_EQ(run({"table", "--concise", "--json"}).status, 2);
}

}  // namespace
}  // namespace mapperctl::testing
