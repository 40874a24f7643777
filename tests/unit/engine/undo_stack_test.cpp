#include "engine/undo_stack.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/error.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(AnUndoStack, UndoesNewestFirst) {
  std::vector<std::string> undone;
  UndoStack undo;
  undo.push("first", [&] { undone.push_back("first"); });
  undo.push("second", [&] { undone.push_back("second"); });
  EXPECT_TRUE(undo.unwind().empty());
  EXPECT_THAT(undone, ElementsAre("second", "first"));
}

TEST(AnUndoStack, KeepsUndoingAfterAStepFailsAndReportsIt) {
  std::vector<std::string> undone;
  UndoStack undo;
  undo.push("resume origin", [&] { undone.push_back("resume"); });
  undo.push("remove snap", [] { throw Error(ErrorKind::Busy, "EBUSY"); });
  EXPECT_THAT(undo.unwind(), ElementsAre("remove snap: EBUSY"));
  EXPECT_THAT(undone, ElementsAre("resume"));
}

TEST(RunUndoable, RethrowsTheOriginalFailureWhenEverythingWasPutBack) {
  bool undone = false;
  try {
    run_undoable([&](UndoStack& undo) {
      undo.push("put back", [&] { undone = true; });
      throw Error(ErrorKind::DeviceMissing, "no cow");
    });
    FAIL() << "nothing was thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::DeviceMissing);
  }
  EXPECT_TRUE(undone);
}

TEST(RunUndoable, NamesBothFailuresWhenPuttingBackFailsToo) {
  try {
    run_undoable([](UndoStack& undo) {
      undo.push("resume origin", [] { throw Error(ErrorKind::Kernel, "EIO"); });
      throw Error(ErrorKind::DeviceMissing, "no cow", 6);
    });
    FAIL() << "nothing was thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Kernel);
    EXPECT_THAT(e.what(), HasSubstr("no cow"));
    EXPECT_THAT(e.what(), HasSubstr("resume origin: EIO"));
    EXPECT_EQ(e.error_number(), 6);
  }
}

}  // namespace
}  // namespace mapperd
