// mapperd's own options (daemon/command_line.h): both spellings of a value, and every mistake
// refused with exit status 2 and a sentence saying what is wrong.

#include "command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

CommandLine run_with(const std::vector<std::string>& arguments) {
  const auto parsed = parse_command_line(arguments);
  if (const auto* done = std::get_if<CommandLineExit>(&parsed)) {
    ADD_FAILURE() << "refused: " << done->standard_error;
    return {};
  }
  return std::get<CommandLine>(parsed);
}

CommandLineExit exit_with(const std::vector<std::string>& arguments) {
  const auto parsed = parse_command_line(arguments);
  if (const auto* done = std::get_if<CommandLineExit>(&parsed))
    return *done;
  ADD_FAILURE() << "accepted, expected an exit";
  return {};
}

TEST(MapperdsCommandLine, RunsTheDaemonWithTheDefaultsWhenEmpty) {
  const CommandLine line = run_with({});
  EXPECT_FALSE(line.restore);
  EXPECT_EQ(line.bus_address, std::nullopt);
  EXPECT_EQ(line.state_directory, std::nullopt);
  EXPECT_EQ(line.runtime_directory, std::nullopt);
  EXPECT_EQ(line.kernel_timeout, std::chrono::seconds(60));
}

TEST(MapperdsCommandLine, TakesEachValueAsTheNextArgument) {
  const CommandLine line =
      run_with({"--bus-address", "unix:path=/tmp/bus", "--state-directory", "/srv/state",
                "--runtime-directory", "/srv/run", "--kernel-timeout", "5", "--restore"});
  EXPECT_EQ(line.bus_address, "unix:path=/tmp/bus");
  EXPECT_EQ(line.state_directory, "/srv/state");
  EXPECT_EQ(line.runtime_directory, "/srv/run");
  EXPECT_EQ(line.kernel_timeout, std::chrono::seconds(5));
  EXPECT_TRUE(line.restore);
}

TEST(MapperdsCommandLine, TakesEachValueAfterAnEqualsSign) {
  const CommandLine line =
      run_with({"--bus-address=unix:path=/tmp/bus", "--state-directory=/srv/state",
                "--runtime-directory=/srv/run", "--kernel-timeout=86400"});
  EXPECT_EQ(line.bus_address, "unix:path=/tmp/bus");
  EXPECT_EQ(line.state_directory, "/srv/state");
  EXPECT_EQ(line.runtime_directory, "/srv/run");
  EXPECT_EQ(line.kernel_timeout, std::chrono::seconds(86400));
}

TEST(MapperdsCommandLine, KeepsAValueThatLooksLikeAnAssignment) {
  EXPECT_EQ(run_with({"--state-directory", "/srv/a=b"}).state_directory, "/srv/a=b");
}

TEST(MapperdsCommandLine, RefusesAnUnknownOptionWithStatus2) {
  const CommandLineExit done = exit_with({"--state-dir=/srv"});
  EXPECT_EQ(done.status, 2);
  EXPECT_EQ(done.standard_output, "");
  EXPECT_EQ(done.standard_error,
            "mapperd: The following argument was not expected: --state-dir=/srv\n"
            "Try 'mapperd --help' for the options.\n");
}

TEST(MapperdsCommandLine, RefusesAPositionalArgument) {
  const CommandLineExit done = exit_with({"/etc/mapperd"});
  EXPECT_EQ(done.status, 2);
  EXPECT_THAT(done.standard_error, HasSubstr("/etc/mapperd"));
}

TEST(MapperdsCommandLine, RefusesAnOptionWithoutItsValue) {
  const CommandLineExit done = exit_with({"--state-directory"});
  EXPECT_EQ(done.status, 2);
  EXPECT_THAT(done.standard_error, StartsWith("mapperd: --state-directory"));
}

TEST(MapperdsCommandLine, RefusesAnEmptyKernelTimeout) {
  const CommandLineExit done = exit_with({"--kernel-timeout="});
  EXPECT_EQ(done.status, 2);
  EXPECT_THAT(done.standard_error, StartsWith("mapperd: --kernel-timeout"));
}

TEST(MapperdsCommandLine, RefusesAnOptionGivenTwice) {
  EXPECT_EQ(exit_with({"--state-directory=/a", "--state-directory=/b"}).status, 2);
}

TEST(MapperdsCommandLine, RefusesAKernelTimeoutOutsideOneSecondToADay) {
  for (const char* value : {"0", "86401", "-1", "5s", "1.5", "99999999999999999999"}) {
    const CommandLineExit done = exit_with({std::string("--kernel-timeout=") + value});
    EXPECT_EQ(done.status, 2) << value;
    EXPECT_THAT(
        done.standard_error,
        HasSubstr(std::string("mapperd: --kernel-timeout: needs a whole number of seconds from 1 "
                              "to 86400, not '") +
                  value + "'"))
        << value;
  }
}

TEST(MapperdsCommandLine, TakesAFillIntervalOfOneSecondToAnHour) {
  EXPECT_EQ(run_with({}).fill_interval, std::chrono::seconds(5));
  EXPECT_EQ(run_with({"--fill-interval", "1"}).fill_interval, std::chrono::seconds(1));
  EXPECT_EQ(run_with({"--fill-interval=3600"}).fill_interval, std::chrono::seconds(3600));
  for (const char* value : {"0", "3601", "5s", ""}) {
    const CommandLineExit done = exit_with({std::string("--fill-interval=") + value});
    EXPECT_EQ(done.status, 2) << value;
    EXPECT_THAT(done.standard_error, StartsWith("mapperd: --fill-interval")) << value;
  }
}

TEST(MapperdsCommandLine, PrintsItsOptionsForHelp) {
  for (const char* help : {"--help", "-h"}) {
    const CommandLineExit done = exit_with({help});
    EXPECT_EQ(done.status, 0);
    EXPECT_EQ(done.standard_error, "");
    for (const char* option : {"--bus-address", "--restore", "--state-directory",
                               "--runtime-directory", "--kernel-timeout", "--version"}) {
      EXPECT_THAT(done.standard_output, HasSubstr(option)) << help;
    }
  }
}

TEST(MapperdsCommandLine, PrintsItsVersion) {
  const CommandLineExit done = exit_with({"--version"});
  EXPECT_EQ(done.status, 0);
  EXPECT_EQ(done.standard_output, "mapperd " MAPPERD_VERSION "\n");
}

}  // namespace
}  // namespace mapperd
