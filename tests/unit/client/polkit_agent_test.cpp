// mapperctl's own polkit agent, started as a stand-in script that records how it was called.

#include "polkit_agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mapperctl {
namespace {

using ::testing::MatchesRegex;

class APolkitAgent : public ::testing::Test {
 protected:
  APolkitAgent() {
    dir_ = std::filesystem::temp_directory_path() /
           ("mapperctl-agent-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~APolkitAgent() override { std::filesystem::remove_all(dir_); }

  // An agent that writes its arguments down, says it is registered by closing the notify
  // descriptor (or not, with `registers` false) and waits to be stopped.
  std::string agent(bool registers = true) {
    const std::filesystem::path script = dir_ / "pkttyagent";
    std::ofstream(script) << "#!/bin/bash\n"
                          << "echo \"$@\" > " << (dir_ / "args").string() << "\n"
                          << (registers ? "eval \"exec $2>&-\"\n" : "")
                          << "exec sleep 60\n";
    ::chmod(script.c_str(), 0755);
    return script.string();
  }
  std::string args() {
    std::ifstream file(dir_ / "args");
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
};

TEST(WhenAPolkitAgent, IsWantedOnlyWhereItCanAskAndHelp) {
  EXPECT_TRUE(PolkitAgent::wanted(true, true, false, 1000));
  EXPECT_FALSE(PolkitAgent::wanted(false, true, false, 1000));  // --no-ask-password
  EXPECT_FALSE(PolkitAgent::wanted(true, false, false, 1000));  // nothing to read a password from
  EXPECT_FALSE(PolkitAgent::wanted(true, true, true, 1000));    // -H: that host's polkit
  EXPECT_FALSE(PolkitAgent::wanted(true, true, false, 0));      // root
}

TEST_F(APolkitAgent, StartsAsSystemctlStartsItAndWaitsUntilItIsRegistered) {
  pid_t pid = -1;
  {
    PolkitAgent polkit;
    const auto began = std::chrono::steady_clock::now();
    ASSERT_TRUE(polkit.start(agent(), std::chrono::seconds(20)));
    EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(15));
    EXPECT_TRUE(polkit.running());
    pid = polkit.pid();
    EXPECT_THAT(args(), MatchesRegex("--notify-fd [0-9]+ --fallback\n"));
    EXPECT_EQ(::kill(pid, 0), 0);
    EXPECT_TRUE(polkit.start(agent()));  // once is enough
    EXPECT_EQ(polkit.pid(), pid);
  }
  // Stopped and reaped with mapperctl's end.
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST_F(APolkitAgent, DoesNotWaitPastItsBoundForAnAgentThatNeverSaysSo) {
  PolkitAgent polkit;
  const auto began = std::chrono::steady_clock::now();
  ASSERT_TRUE(polkit.start(agent(/*registers=*/false), std::chrono::milliseconds(200)));
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(200));
}

TEST_F(APolkitAgent, IsLeftOutWhenItIsNotInstalled) {
  PolkitAgent polkit;
  EXPECT_FALSE(polkit.start((dir_ / "no-such-agent").string()));
  EXPECT_FALSE(polkit.running());
}

}  // namespace
}  // namespace mapperctl
