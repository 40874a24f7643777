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
                                                {"dry-run", 'n', {}, "dry"}};

const std::vector<OptionSpec> kLoopAttachOptions = {{"offset", 'o', "BYTES", "offset"},
                                                    {"read-only", 'r', {}, "read-only"}};

const std::vector<OptionSpec>* test_verbs(std::string_view verb) {
  if (verb == "remove")
    return &kRemoveOptions;
  if (verb == "loop attach")
    return &kLoopAttachOptions;
  if (verb == "stripe")
    return &kStripeOptions;
  if (verb == "ls") {
    static const std::vector<OptionSpec> none;
    return &none;
  }
  return nullptr;
}

CommandLine parse(std::vector<std::string> args) {
  return parse_command_line(args, test_verbs);
}

ExitStatus status_of_parsing(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const CommandError& error) {
    return error.status();
  }
  return ExitStatus::Ok;
}

TEST(ACommandLine, TakesTheFirstWordAsTheVerbAndTheRestAsArguments) {
  const CommandLine command = parse({"remove", "a", "b"});
  EXPECT_EQ(command.verb, "remove");
  EXPECT_THAT(command.arguments, ElementsAre("a", "b"));
}

TEST(ACommandLine, AcceptsGlobalOptionsBeforeTheVerb) {
  const CommandLine command = parse({"--json", "-H", "root@host", "ls"});
  EXPECT_TRUE(command.global.json);
  EXPECT_EQ(command.global.host, "root@host");
  EXPECT_EQ(command.verb, "ls");
}

TEST(ACommandLine, AcceptsGlobalOptionsAfterTheVerbAndBetweenArguments) {
  const CommandLine command = parse({"remove", "a", "--no-user-interaction", "b", "-j"});
  EXPECT_TRUE(command.global.no_user_interaction);
  EXPECT_TRUE(command.global.json);
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
  EXPECT_TRUE(command.global.json);
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
  EXPECT_TRUE(command.global.json);
}

TEST(ACommandLine, TakesNoSecondVerbWordAfterAWholeVerbOrAnArgument) {
  EXPECT_THAT(parse({"remove", "loop", "attach"}).arguments, ElementsAre("loop", "attach"));
  const CommandLine unknown = parse({"loop", "frob", "attach"});
  EXPECT_EQ(unknown.verb, "loop");
  EXPECT_THAT(unknown.arguments, ElementsAre("frob", "attach"));
}

TEST(ACommandLine, RefusesAVerbOptionBeforeTheSecondVerbWord) {
  EXPECT_EQ(status_of_parsing({"loop", "-r", "attach", "/srv/a"}), ExitStatus::Usage);
}

TEST(ACommandLine, LeavesAnUnknownVerbForTheCallerToReport) {
  const CommandLine command = parse({"frobnicate", "--help"});
  EXPECT_EQ(command.verb, "frobnicate");
  EXPECT_TRUE(command.global.help);
}

}  // namespace
}  // namespace mapperctl
