// Operation intents in /run/mapperd: each one's id (its file's name) is unique across daemon
// processes, so an intent a crash left for recovery is never overwritten by the next process's.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/store_writer.h"
#include "persistence_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::SizeIs;

class AnIntent : public ::testing::Test {
 protected:
  // In a child process, as a daemon that crashes mid-operation: writes an intent for `map` and
  // exits without erasing it.
  void crash_during_an_operation_on(const std::string& map) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      IntentScope scope(storage_, OperationIntent{.kind = "remove", .maps = {map}});
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  TempDir state_;
  TempDir runtime_;
  DefinitionStore definitions_{state_.path()};
  RuntimeState runtime_state_{runtime_.path()};
  FakeDeviceDirectory directory_;
  TestBlockDevices block_devices_;
  EngineStorage storage_{.definitions = &definitions_,
                         .runtime = &runtime_state_,
                         .directory = &directory_,
                         .block_devices = &block_devices_};
};

TEST_F(AnIntent, LeftByACrashIsNotOverwrittenByTheNextProcess) {
  crash_during_an_operation_on("vol");
  crash_during_an_operation_on("vol");
  EXPECT_THAT(runtime_state_.load_intents(), SizeIs(2));
}

TEST_F(AnIntent, IsErasedWhenItsOperationEnds) {
  { IntentScope scope(storage_, OperationIntent{.kind = "remove", .maps = {"vol"}}); }
  EXPECT_THAT(runtime_state_.load_intents(), SizeIs(0));
}

}  // namespace
}  // namespace mapperd::testing
