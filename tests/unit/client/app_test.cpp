// Whole mapperctl command lines against an in-memory mapperd: what is sent, what is printed,
// and the exit status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mapperctl_fixture.h"

namespace mapperctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Mapperctl;
using testing::Result;

TEST_F(Mapperctl, CreatesAMapFromATableOnStandardInputAsTheTutorialDoes) {
  const Result result = run({"create", "new_name"}, "0 4096 linear /dev/loop1 0\n");
  EXPECT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(mapperd_.created.size(), 1u);
  EXPECT_EQ(mapperd_.created[0].name, "new_name");
  EXPECT_EQ(mapperd_.created[0].table, "0 4096 linear /dev/loop1 0\n");
  EXPECT_TRUE(mapperd_.created[0].options.persistent);
  EXPECT_EQ(result.out, "");
}

TEST_F(Mapperctl, CreatesAMapFromTableTextWithOptions) {
  const Result result = run(
      {"create", "ro", "--table", "0 8 zero", "--readonly", "--uuid", "u1", "--not-persistent"});
  EXPECT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(mapperd_.created.size(), 1u);
  EXPECT_EQ(mapperd_.created[0].table, "0 8 zero");
  EXPECT_TRUE(mapperd_.created[0].options.read_only);
  EXPECT_EQ(mapperd_.created[0].options.uuid, "u1");
  EXPECT_FALSE(mapperd_.created[0].options.persistent);
}

TEST_F(Mapperctl, RefusesAnInvalidNameBeforeAskingMapperd) {
  const Result result = run({"create", "a/b", "--table", "0 8 zero"});
  EXPECT_EQ(result.status, 6);
  EXPECT_TRUE(mapperd_.calls.empty());
  EXPECT_THAT(result.err, HasSubstr("mapperctl: create a/b: map name 'a/b'"));
}

TEST_F(Mapperctl, PrintsEachProblemOfARefusedTableOnItsOwnPrefixedLine) {
  mapperd_.fail("create twoasone",
                CommandError(ExitStatus::Invalid,
                             "create twoasone: line 2: start: segment starts at 4000 but the "
                             "previous one ends at 4096 (overlap)\nline 3: target: unknown",
                             "InvalidTable"));
  const Result result = run({"create", "twoasone"}, "table");
  EXPECT_EQ(result.status, 6);
  EXPECT_EQ(result.err,
            "mapperctl: create twoasone: line 2: start: segment starts at 4000 but the previous "
            "one ends at 4096 (overlap)\n"
            "mapperctl: create twoasone: line 3: target: unknown\n");
}

TEST_F(Mapperctl, NamesTheKindOfAGenericFailure) {
  mapperd_.fail("suspend a", CommandError(ExitStatus::Failed, "DM_DEV_SUSPEND: EIO", "Kernel"));
  mapperd_.add_map("a", 0, "");
  const Result result = run({"suspend", "a"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "mapperctl: suspend a: Kernel: DM_DEV_SUSPEND: EIO\n");
}

TEST_F(Mapperctl, ExitsWithThreeForAMapThatDoesNotExist) {
  const Result result = run({"info", "ghost"});
  EXPECT_EQ(result.status, 3);
  EXPECT_EQ(result.err, "mapperctl: info ghost: no map named 'ghost'\n");
}

TEST_F(Mapperctl, ExitsWithTwoForAUsageErrorAndSendsNothing) {
  EXPECT_EQ(run({"create"}).status, 2);
  EXPECT_EQ(run({"rename", "a"}).status, 2);
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({}).status, 2);
  EXPECT_EQ(run({"message", "a", "sector", "ping"}).status, 2);
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(Mapperctl, ListsMapsAsDmsetupLsDoes) {
  mapperd_.add_map("twoasone", 1, "");
  mapperd_.add_map("halfdisk", 2, "");
  const Result result = run({"list"});
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out, "halfdisk\t(254:2)\tpersistent\ntwoasone\t(254:1)\tpersistent\n");
}

TEST_F(Mapperctl, ListsMapsAsAJsonArray) {
  mapperd_.add_map("a", 1, "");
  const Result result = run({"ls", "--json"});
  EXPECT_EQ(result.status, 0);
  EXPECT_THAT(result.out, ::testing::StartsWith(R"([{"name":"a","uuid":"MAPPERD-a",)"));
  EXPECT_THAT(result.out, ::testing::EndsWith("}]\n"));
}

TEST_F(Mapperctl, PrintsOneMapsTableExactlyAndSeveralWithNames) {
  mapperd_.add_map("a", 1, "0 8 linear 7:1 0\n");
  mapperd_.add_map("b", 2, "0 8 linear 7:2 0\n8 8 linear 7:3 0\n");
  EXPECT_EQ(run({"table", "a"}).out, "0 8 linear 7:1 0\n");
  EXPECT_EQ(run({"table"}).out, "a: 0 8 linear 7:1 0\nb: 0 8 linear 7:2 0\nb: 8 8 linear 7:3 0\n");
  EXPECT_EQ(run({"table", "a", "--json"}).out, R"([{"name":"a","table":["0 8 linear 7:1 0"]}])"
                                               "\n");
}

TEST_F(Mapperctl, PrintsStatusLikeDmsetup) {
  mapperd_.add_map("a", 1, "");
  EXPECT_EQ(run({"status", "a"}).out, "0 8 linear\n");
  EXPECT_EQ(run({"status"}).out, "a: 0 8 linear\n");
}

TEST_F(Mapperctl, RemovesSeveralMapsInOneCallAndNoneWhenOneIsMissing) {
  mapperd_.add_map("a", 1, "");
  mapperd_.add_map("c", 3, "");
  const Result result = run({"remove", "a", "b", "c", "--force"});
  EXPECT_EQ(result.status, 3);
  EXPECT_THAT(mapperd_.calls, ElementsAre("remove-maps a b c"));
  EXPECT_TRUE(mapperd_.maps.contains("a"));
  EXPECT_TRUE(mapperd_.maps.contains("c"));
  EXPECT_EQ(result.err, "mapperctl: remove a b c: no map named 'b'\n");

  EXPECT_EQ(run({"remove", "a", "c", "--force"}).status, 0);
  EXPECT_TRUE(mapperd_.last_remove_options->force);
  EXPECT_TRUE(mapperd_.maps.empty());
}

TEST_F(Mapperctl, RemovesAnOriginWithItsSnapshotsInOneCallAndListsThem) {
  mapperd_.add_map("origin", 1, "").snapshots = {"s1", "s2"};
  mapperd_.add_map("s1", 2, "").snapshot_origin = "origin";
  mapperd_.add_map("s2", 3, "").snapshot_origin = "origin";
  const Result result = run({"remove", "origin", "--with-snapshots", "--json"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(mapperd_.calls, ElementsAre("get origin", "remove-maps origin s1 s2"));
  EXPECT_TRUE(mapperd_.last_remove_options->with_snapshots);
  EXPECT_THAT(result.out, HasSubstr(R"("name":"s2")"));
  EXPECT_TRUE(mapperd_.maps.empty());
}

TEST_F(Mapperctl, ReadsASnapshotsStatusBeforeShowingItsFill) {
  mapperd_.add_map("origin", 1, "").snapshots = {"snap"};
  mapperd_.add_map("snap", 2, "").snapshot_origin = "origin";
  mapperd_.add_map("plain", 3, "");
  EXPECT_EQ(run({"info", "snap", "plain"}).status, 0);
  EXPECT_THAT(mapperd_.calls,
              ElementsAre("get snap", "get plain", "status snap", "get snap", "get plain"));
  mapperd_.calls.clear();
  EXPECT_EQ(run({"ls"}).status, 0);
  EXPECT_THAT(mapperd_.calls, ElementsAre("ls", "status snap", "ls"));
  mapperd_.calls.clear();
  EXPECT_EQ(run({"info", "plain"}).status, 0);
  EXPECT_THAT(mapperd_.calls, ElementsAre("get plain"));
}

TEST_F(Mapperctl, CreatesEveryMapOfAConciseTextInOneCall) {
  const Result result = run({"create", "--concise", "-", "--not-persistent"},
                            "lin=ear,,,rw,0 8 linear 7:1 0;two,u2,,ro,0 4 zero,4 4 error\n");
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(mapperd_.calls, ElementsAre("create-maps lin=ear two"));
  ASSERT_EQ(mapperd_.created.size(), 2u);
  EXPECT_EQ(mapperd_.created[0].name, "lin=ear");
  EXPECT_EQ(mapperd_.created[0].table, "0 8 linear 7:1 0\n");
  EXPECT_FALSE(mapperd_.created[0].options.uuid);
  EXPECT_FALSE(mapperd_.created[0].options.persistent);
  EXPECT_EQ(mapperd_.created[1].table, "0 4 zero\n4 4 error\n");
  EXPECT_EQ(mapperd_.created[1].options.uuid, "u2");
  EXPECT_TRUE(mapperd_.created[1].options.read_only);
}

TEST_F(Mapperctl, NamesTheConciseMapsThatWereNotMadeInAPartialBatch) {
  mapperd_.add_map("taken", 1, "");
  const Result result =
      run({"create", "--concise", "-", "--partial"}, "new,,,rw,0 8 zero;taken,,,rw,0 8 zero");
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(mapperd_.calls, ElementsAre("create-maps --partial new taken"));
  EXPECT_TRUE(mapperd_.maps.contains("new"));
  EXPECT_THAT(result.err, HasSubstr("1 of 2 maps were not made: taken"));
}

TEST_F(Mapperctl, RefusesABadConciseTextBeforeAskingMapperd) {
  const Result result = run({"create", "--concise", "-"}, "a,,,rw,0 8 zero;b,,,xx,0 8 zero");
  EXPECT_EQ(result.status, 6);
  EXPECT_TRUE(mapperd_.calls.empty());
  EXPECT_THAT(result.err, HasSubstr("concise map #2 'b': flags 'xx'"));
  EXPECT_EQ(run({"create", "--concise", "-", "--table", "0 8 zero"}, "a,,,rw,0 8 zero").status, 2);
  EXPECT_EQ(run({"create", "x", "--partial", "--table", "0 8 zero"}).status, 2);
}

TEST_F(Mapperctl, ReportsBusyWithItsOwnExitStatus) {
  mapperd_.add_map("a", 1, "");
  mapperd_.fail("remove a", CommandError(ExitStatus::Busy, "remove a: map is open", "Busy"));
  const Result result = run({"remove", "a"});
  EXPECT_EQ(result.status, 8);
  EXPECT_EQ(result.err, "mapperctl: remove a: map is open\n");
}

TEST_F(Mapperctl, SuspendsResumesRenamesAndReloads) {
  mapperd_.add_map("a", 1, "");
  EXPECT_EQ(run({"suspend", "--noflush", "a"}).status, 0);
  EXPECT_EQ(run({"resume", "a"}).status, 0);
  EXPECT_EQ(run({"reload", "a"}, "0 8 zero\n").status, 0);
  EXPECT_EQ(run({"rename", "a", "b"}).status, 0);
  EXPECT_THAT(mapperd_.calls,
              ElementsAre("suspend --noflush a", "resume a", "reload a", "rename a b"));
  EXPECT_EQ(mapperd_.maps.at("b").table, "0 8 zero\n");
}

TEST_F(Mapperctl, SendsAMessageAndPrintsTheReply) {
  mapperd_.add_map("a", 1, "");
  const Result result = run({"message", "a", "0", "ping"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "pong\n");
  EXPECT_THAT(mapperd_.calls, ElementsAre("message a 0 ping"));
}

TEST_F(Mapperctl, SnapshotsWithTheChosenStoreAndChunkSize) {
  mapperd_.add_map("base", 1, "");
  const Result result = run({"snapshot", "base", "snap", "/dev/loop3", "--transient", "-c", "4K"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(mapperd_.calls, ElementsAre("snapshot base snap /dev/loop3"));
  EXPECT_FALSE(mapperd_.last_snapshot_options->persistent);
  EXPECT_EQ(mapperd_.last_snapshot_options->chunk_size, 8u);
}

TEST_F(Mapperctl, SnapshotsOnACowFileOfASizeOrAShareWithItsPolicy) {
  mapperd_.add_map("base", 1, "");
  Result result = run({"snapshot", "base", "snap", "--size", "1G", "--auto-extend",
                       "--extend-percent", "50", "--fill-thresholds", "60,90"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(mapperd_.calls, ElementsAre("snapshot base snap "));
  EXPECT_EQ(mapperd_.last_snapshot_options->cow_bytes, std::optional<std::uint64_t>(1u << 30));
  EXPECT_TRUE(mapperd_.last_snapshot_options->auto_extend);
  EXPECT_EQ(mapperd_.last_snapshot_options->extend_percent, std::optional<std::uint32_t>(50));
  EXPECT_THAT(mapperd_.last_snapshot_options->fill_thresholds, ElementsAre(60u, 90u));
  result = run({"snapshot", "base", "snap2", "-s", "20%"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(mapperd_.last_snapshot_options->cow_percent, std::optional<std::uint32_t>(20));
  EXPECT_EQ(mapperd_.last_snapshot_options->cow_bytes, std::nullopt);
}

TEST_F(Mapperctl, RefusesASnapshotWithoutACowOrWithTwo) {
  EXPECT_EQ(run({"snapshot", "o", "s"}).status, 2);
  EXPECT_EQ(run({"snapshot", "o", "s", "/dev/loop3", "--size", "1G"}).status, 2);
  EXPECT_EQ(run({"snapshot", "o", "s", "--size", "0%"}).status, 2);
  EXPECT_EQ(run({"snapshot", "o", "s", "--size", "120%"}).status, 2);
  EXPECT_EQ(run({"snapshot", "o", "s", "/dev/loop3", "--auto-extend"}).status, 2);
  EXPECT_EQ(run({"snapshot", "o", "s", "-s", "1G", "--fill-thresholds", "80,,90"}).status, 2);
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(Mapperctl, RefusesASnapshotThatIsBothPersistentAndTransient) {
  EXPECT_EQ(run({"snapshot", "o", "s", "/dev/loop3", "-P", "-N"}).status, 2);
}

TEST_F(Mapperctl, ComputesAConcatenationWithoutMapperdOnADryRun) {
  const Result result =
      run({"concat", "twoasone", "7:1@0+4096", "7:2@0+2048", "--dry-run", "--host", "elsewhere"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "0 4096 linear 7:1 0\n4096 2048 linear 7:2 0\n");
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(Mapperctl, CreatesTheComputedConcatenation) {
  const Result result = run({"concat", "x", "7:1@8+8", "-H", "elsewhere"});
  EXPECT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(mapperd_.created.size(), 1u);
  EXPECT_EQ(mapperd_.created[0].table, "0 8 linear 7:1 8\n");
}

TEST_F(Mapperctl, PrintsAStripeTableAsJsonOnADryRun) {
  const Result result =
      run({"stripe", "s", "--chunk-size", "8", "7:1@0+100", "7:2@0+64", "-n", "--json", "-H", "h"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, R"({"name":"s","table":["0 128 striped 2 8 7:1 0 7:2 0"]})"
                        "\n");
}

TEST_F(Mapperctl, SplitsARangeIntoTwoNamedTables) {
  const Result result = run({"split", "7:1@0+4097", "halfdisk", "rest", "-n", "-H", "h"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "halfdisk: 0 2048 linear 7:1 0\nrest: 0 2049 linear 7:1 2048\n");
}

TEST_F(Mapperctl, RemovesTheFirstHalfOfASplitWhenTheSecondCannotBeCreated) {
  mapperd_.add_map("rest", 9, "");
  const Result result = run({"split", "7:1@0+100", "first", "rest", "--at", "10", "-H", "h"});
  EXPECT_EQ(result.status, 7);
  EXPECT_THAT(mapperd_.calls, ElementsAre("create first", "create rest", "remove first"));
  EXPECT_FALSE(mapperd_.maps.contains("first"));
  EXPECT_THAT(result.err, HasSubstr("(first was removed again)"));
}

TEST_F(Mapperctl, ChecksATableOnMapperdAndPrintsEachProblem) {
  mapperd_.problems_to_report = {{2, "start", "overlap"}, {0, "table", "empty"}};
  const Result result = run({"check", "-"}, "whatever");
  EXPECT_EQ(result.status, 6);
  EXPECT_EQ(result.out, "line 2: start: overlap\ntable: table: empty\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(Mapperctl, ReportsAGoodTableAsValidInJson) {
  const Result result = run({"check", "--json", "--table", "0 8 zero"});
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out, R"({"valid":true,"problems":[]})"
                        "\n");
}

TEST_F(Mapperctl, ChecksATableOfflineWithoutMapperd) {
  const Result good = run({"check", "--offline", "--table", "0 8 zero\n"});
  EXPECT_EQ(good.status, 0) << good.out << good.err;
  const Result bad = run({"check", "--offline", "--table", "0 8 zero\n4 8 zero\n"});
  EXPECT_EQ(bad.status, 6);
  EXPECT_THAT(bad.out, ::testing::StartsWith("line 2: "));
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(Mapperctl, PrintsMonitorEventsOnePerLine) {
  mapperd_.events_to_send = {MapEvent::of(MapEvent::Kind::Removed, "a"),
                             MapEvent::of(MapEvent::Kind::Removed, "b")};
  EXPECT_EQ(run({"monitor"}).out, "removed a\nremoved b\n");
  EXPECT_EQ(run({"monitor", "b", "--json"}).out, R"({"event":"removed","name":"b"})"
                                                 "\n");
}

TEST_F(Mapperctl, ShowsHelpForEveryVerbWithoutMapperd) {
  EXPECT_THAT(run({"--help"}).out, HasSubstr("concat"));
  for (const char* verb :
       {"create",  "remove", "ls",     "list",    "info",    "table",    "status",
        "suspend", "resume", "reload", "rename",  "message", "snapshot", "concat",
        "split",   "stripe", "check",  "monitor", "targets", "version"}) {
    const Result by_option = run({verb, "--help"});
    EXPECT_EQ(by_option.status, 0) << verb;
    EXPECT_THAT(by_option.out, HasSubstr("Usage: mapperctl [OPTIONS] ")) << verb;
    EXPECT_EQ(run({"help", verb}).out, by_option.out) << verb;
  }
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(Mapperctl, PrintsItsVersionWithoutMapperd) {
  const Result result = run({"--version"});
  EXPECT_EQ(result.status, 0);
  EXPECT_THAT(result.out, ::testing::StartsWith("mapperctl "));
  EXPECT_TRUE(mapperd_.calls.empty());
}

TEST_F(Mapperctl, AsksMapperdNotToPromptWhenNoTerminalCouldAnswer) {
  mapperd_.add_map("a", 1, "");
  run({"resume", "a"});
  EXPECT_FALSE(mapperd_.last_connection->allow_interactive_authorization);
}

TEST_F(Mapperctl, StartsAPolkitAgentOnlyWhereSomeoneCanTypeAPassword) {
  mapperd_.add_map("a", 1, "");
  run({"resume", "a"});
  EXPECT_FALSE(mapperd_.last_connection->start_polkit_agent);  // no terminal
  on_terminal_ = true;
  run({"resume", "a"});
  EXPECT_TRUE(mapperd_.last_connection->allow_interactive_authorization);
  EXPECT_TRUE(mapperd_.last_connection->start_polkit_agent);
  run({"resume", "a", "--no-ask-password"});
  EXPECT_FALSE(mapperd_.last_connection->allow_interactive_authorization);
  EXPECT_FALSE(mapperd_.last_connection->start_polkit_agent);
  run({"resume", "a", "-H", "root@box"});
  EXPECT_FALSE(mapperd_.last_connection->start_polkit_agent);  // that host's polkit asks there
  uid_ = 0;
  run({"resume", "a"});
  EXPECT_FALSE(mapperd_.last_connection->start_polkit_agent);  // polkit asks root nothing
}

TEST_F(Mapperctl, PassesTheHostToTheConnection) {
  run({"ls", "-H", "root@box"});
  EXPECT_EQ(mapperd_.last_connection->host, "root@box");
}

}  // namespace
}  // namespace mapperctl
