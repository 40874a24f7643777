#include "command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exit_status.h"

namespace mapperctl {
namespace {

using ::testing::ElementsAre;

const std::vector<OptionSpec> kRemoveOptions = {{"force", 'f', {}, "force"},
                                                {"deferred", 0, {}, "deferred"}};
const std::vector<OptionSpec> kStripeOptions = {{"chunk-size", 'c', "SIZE", "chunk"},
                                                {"dry-run", 'n', {}, "dry"},
                                                {"readonly", 'r', {}, "ro", "read-only"}};
const std::vector<OptionSpec> kLoopAttachOptions = {{"offset", 'o', "BYTES", "offset"},
                                                    {"read-only", 'r', {}, "ro", "readonly"}};
const std::vector<OptionSpec> kListOptions = {{"output", 'o', "COLUMNS", "columns"}};

const std::vector<VerbSyntax> kVerbs = {
    {"remove", {}, &kRemoveOptions},           {"stripe", {}, &kStripeOptions},
    {"ls", {"list"}, &kListOptions},           {"loop attach", {}, &kLoopAttachOptions},
    {"loop ls", {"loop list"}, &kListOptions},
};

CommandLine parse(std::vector<std::string> args) {
  return parse_command_line(args, kVerbs);
}

ExitStatus status_of_parsing(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const CommandError& error) {
    return error.status();
  }
  return ExitStatus::Ok;
}

// The message of the usage error `args` makes; empty when they parse.
std::string problem_of(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const CommandError& error) {
    return error.what();
  }
  return {};
}

TEST(ACommandLine, TakesTheFirstWordAsTheVerbAndTheRestAsArguments) {
  const CommandLine command = parse({"remove", "a", "b"});
  EXPECT_EQ(command.verb, "remove");
  EXPECT_THAT(command.arguments, ElementsAre("a", "b"));
}

TEST(ACommandLine, AcceptsGlobalOptionsBeforeTheVerb) {
  const CommandLine command = parse({"--json", "-H", "root@host", "ls"});
  EXPECT_EQ(command.global.json, JsonMode::Short);
  EXPECT_EQ(command.global.host, "root@host");
  EXPECT_EQ(command.verb, "ls");
}

TEST(ACommandLine, AcceptsGlobalOptionsAfterTheVerbAndBetweenArguments) {
  const CommandLine command = parse({"remove", "a", "--no-user-interaction", "b", "-j"});
  EXPECT_TRUE(command.global.no_user_interaction);
  EXPECT_EQ(command.global.json, JsonMode::Short);
  EXPECT_THAT(command.arguments, ElementsAre("a", "b"));
}

TEST(ACommandLine, ReadsLongOptionValuesWithOrWithoutAnEqualsSign) {
  EXPECT_EQ(parse({"stripe", "s", "--chunk-size=16"}).value("chunk-size"), "16");
  EXPECT_EQ(parse({"stripe", "s", "--chunk-size", "16"}).value("chunk-size"), "16");
}

TEST(ACommandLine, ReadsShortOptionValuesAttachedOrSeparate) {
  EXPECT_EQ(parse({"stripe", "-c16"}).value("chunk-size"), "16");
  EXPECT_EQ(parse({"stripe", "-c", "16"}).value("chunk-size"), "16");
  EXPECT_EQ(parse({"-Hbox", "ls"}).global.host, "box");
}

TEST(ACommandLine, BundlesShortFlags) {
  const CommandLine command = parse({"stripe", "-nj", "s"});
  EXPECT_TRUE(command.has("dry-run"));
  EXPECT_EQ(command.global.json, JsonMode::Short);
}

TEST(ACommandLine, EndsOptionsAtADoubleDash) {
  const CommandLine command = parse({"remove", "--", "--force"});
  EXPECT_FALSE(command.has("force"));
  EXPECT_THAT(command.arguments, ElementsAre("--force"));
}

TEST(ACommandLine, TakesALoneDashAsAnArgument) {
  EXPECT_THAT(parse({"remove", "-"}).arguments, ElementsAre("-"));
}

TEST(ACommandLine, RefusesAVerbOptionBeforeTheVerb) {
  EXPECT_EQ(status_of_parsing({"--force", "remove", "a"}), ExitStatus::Usage);
}

TEST(ACommandLine, RefusesAnotherVerbsOption) {
  EXPECT_EQ(status_of_parsing({"remove", "a", "--chunk-size=8"}), ExitStatus::Usage);
}

TEST(ACommandLine, RefusesAValueForAFlag) {
  EXPECT_EQ(status_of_parsing({"remove", "--force=yes", "a"}), ExitStatus::Usage);
  EXPECT_EQ(status_of_parsing({"remove", "--force=no", "a"}), ExitStatus::Usage);
}

TEST(ACommandLine, RefusesAnOptionWhoseValueIsMissing) {
  EXPECT_EQ(status_of_parsing({"stripe", "s", "--chunk-size"}), ExitStatus::Usage);
  EXPECT_EQ(status_of_parsing({"ls", "-H"}), ExitStatus::Usage);
}

TEST(ACommandLine, NamesTheUnknownOptionAndWhereToLook) {
  try {
    parse({"remove", "--frobnicate"});
    FAIL() << "an unknown option was accepted";
  } catch (const CommandError& error) {
    EXPECT_STREQ(error.what(), "unknown option --frobnicate (see mapperctl help remove)");
  }
}

TEST(ACommandLine, TakesAVerbOfTwoWordsWithItsOptions) {
  const CommandLine command = parse({"-j", "loop", "attach", "-o", "512", "/srv/a", "-r"});
  EXPECT_EQ(command.verb, "loop attach");
  EXPECT_THAT(command.arguments, ElementsAre("/srv/a"));
  EXPECT_EQ(command.value("offset"), "512");
  EXPECT_TRUE(command.has("read-only"));
  EXPECT_EQ(command.global.json, JsonMode::Short);
}

TEST(ACommandLine, TakesNoSecondVerbWordAfterAWholeVerbOrAnArgument) {
  EXPECT_THAT(parse({"remove", "loop", "attach"}).arguments, ElementsAre("loop", "attach"));
  EXPECT_THAT(parse({"remove", "a", "ls"}).arguments, ElementsAre("a", "ls"));
}

TEST(ACommandLine, LeavesAGroupWithoutAVerbForTheCallerToReport) {
  const CommandLine alone = parse({"loop"});
  EXPECT_EQ(alone.verb, "loop");
  EXPECT_TRUE(alone.arguments.empty());
  const CommandLine unknown = parse({"loop", "frob", "attach"});
  EXPECT_EQ(unknown.verb, "loop");
  ASSERT_FALSE(unknown.arguments.empty());
  EXPECT_EQ(unknown.arguments.front(), "frob");
}

TEST(ACommandLine, RefusesAVerbOptionBeforeTheSecondVerbWord) {
  EXPECT_EQ(status_of_parsing({"loop", "-r", "attach", "/srv/a"}), ExitStatus::Usage);
}

TEST(ACommandLine, NamesAnUnknownVerb) {
  EXPECT_EQ(problem_of({"frobnicate", "--help"}), "no verb 'frobnicate' (see mapperctl --help)");
  EXPECT_EQ(status_of_parsing({"frobnicate"}), ExitStatus::Usage);
}

TEST(ACommandLine, NamesAVerbOptionGivenBeforeTheVerb) {
  EXPECT_EQ(problem_of({"--force", "remove", "a"}),
            "unknown option --force (a verb's own options go after the verb; see mapperctl "
            "--help)");
}

TEST(ACommandLine, KnowsAVerbByItsAliasAndCallsItByItsName) {
  EXPECT_EQ(parse({"list"}).verb, "ls");
  EXPECT_EQ(parse({"loop", "list"}).verb, "loop ls");
}

TEST(ACommandLine, TakesJsonShortOrPrettyAsSystemdSpellsIt) {
  EXPECT_EQ(parse({"ls"}).global.json, JsonMode::Off);
  EXPECT_EQ(parse({"ls", "--json"}).global.json, JsonMode::Short);
  EXPECT_EQ(parse({"-j", "ls"}).global.json, JsonMode::Short);
  EXPECT_EQ(parse({"ls", "--json=short"}).global.json, JsonMode::Short);
  EXPECT_EQ(parse({"--json=pretty", "ls"}).global.json, JsonMode::Pretty);
}

TEST(ACommandLine, NeverTakesTheWordAfterJsonAsItsValue) {
  const CommandLine command = parse({"--json", "remove", "pretty"});
  EXPECT_EQ(command.global.json, JsonMode::Short);
  EXPECT_EQ(command.verb, "remove");
  EXPECT_THAT(command.arguments, ElementsAre("pretty"));
}

TEST(ACommandLine, RefusesAJsonModeThereIsNot) {
  EXPECT_EQ(status_of_parsing({"ls", "--json=long"}), ExitStatus::Usage);
  EXPECT_THAT(problem_of({"ls", "--json=long"}), ::testing::HasSubstr("long"));
}

TEST(ACommandLine, TakesReadOnlyInBothSpellings) {
  for (const auto& spelling : {"-r", "--readonly", "--read-only"}) {
    EXPECT_TRUE(parse({"stripe", "s", spelling}).has("readonly")) << spelling;
    EXPECT_TRUE(parse({"loop", "attach", spelling, "/srv/a"}).has("read-only")) << spelling;
  }
}

TEST(ACommandLine, TakesNoAskPasswordAsNoUserInteraction) {
  EXPECT_TRUE(parse({"ls", "--no-ask-password"}).global.no_user_interaction);
  EXPECT_TRUE(parse({"--no-user-interaction", "ls"}).global.no_user_interaction);
  EXPECT_FALSE(parse({"ls"}).global.no_user_interaction);
}

TEST(ACommandLine, TakesNoLegendAndNoPager) {
  const CommandLine command = parse({"ls", "--no-legend", "--no-pager"});
  EXPECT_TRUE(command.global.no_legend);
  EXPECT_TRUE(command.global.no_pager);
  EXPECT_FALSE(parse({"ls"}).global.no_legend);
}

TEST(ACommandLine, TakesColumnsWithDashO) {
  EXPECT_EQ(parse({"ls", "-o", "uuid,size"}).value("output"), "uuid,size");
  EXPECT_EQ(parse({"loop", "ls", "--output=NAME"}).value("output"), "NAME");
  // -o is a list verb's columns but loop attach's offset: each verb has its own options.
  EXPECT_EQ(parse({"loop", "attach", "-o", "512", "/srv/a"}).value("offset"), "512");
}

TEST(ACommandLine, TakesTheLastOfARepeatedValue) {
  EXPECT_EQ(parse({"stripe", "-c", "8", "-c", "16"}).value("chunk-size"), "16");
}

}  // namespace
}  // namespace mapperctl
