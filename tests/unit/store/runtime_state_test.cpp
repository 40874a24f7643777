// /run/mapperd: the facts of maps and the intents of operations in flight survive a restart of
// the daemon; a file that cannot be used is quarantined and reported, the rest still load.
#include "store/runtime_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "model/error.h"
#include "store/definition_format.h"
#include "store_test_support.h"

namespace mapperd {
namespace {

using testing::disk_map;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ScratchDirectory;
using ::testing::SizeIs;
using testing::two_loop_map;

OperationIntent snapshot_intent() {
  OperationIntent intent;
  intent.id = "snapshot-7";
  intent.kind = "snapshot";
  intent.maps = {"base", "base-snap"};
  intent.to_save = {two_loop_map(), disk_map("base-snap")};
  intent.to_remove = {"stale"};
  return intent;
}

class ARuntimeState : public ::testing::Test {
 protected:
  ScratchDirectory scratch_;
  RuntimeState state_{scratch_ / "run" / "mapperd"};
};

TEST_F(ARuntimeState, ThatIsEmptyLoadsNothing) {
  EXPECT_THAT(state_.load_facts(), IsEmpty());
  EXPECT_THAT(state_.load_intents(), IsEmpty());
  EXPECT_THAT(state_.take_quarantined(), IsEmpty());
  EXPECT_FALSE(scratch_.has("run"));
}

TEST_F(ARuntimeState, LoadsTheFactsItSavedSortedByUuid) {
  const RuntimeMapFacts b{"MAPPERD-b", false, 1000};
  const RuntimeMapFacts a{"MAPPERD-a", true, 0};
  state_.save_facts(b);
  state_.save_facts(a);
  EXPECT_THAT(RuntimeState(state_.directory()).load_facts(), ElementsAre(a, b));
  EXPECT_THAT(scratch_.names_in("run/mapperd/maps"),
              ElementsAre("MAPPERD-a.json", "MAPPERD-b.json"));
}

TEST_F(ARuntimeState, RemovesFactsAndIgnoresAbsentOnes) {
  state_.save_facts(RuntimeMapFacts{"MAPPERD-a", true, 0});
  state_.remove_facts("MAPPERD-a");
  state_.remove_facts("MAPPERD-never");
  EXPECT_THAT(state_.load_facts(), IsEmpty());
}

TEST_F(ARuntimeState, LoadsTheIntentsItSaved) {
  const OperationIntent create{"create-1", "create", {"a"}, {disk_map("a")}, {}};
  state_.save_intent(snapshot_intent());
  state_.save_intent(create);
  EXPECT_THAT(RuntimeState(state_.directory()).load_intents(),
              ElementsAre(create, snapshot_intent()));
  state_.remove_intent("create-1");
  state_.remove_intent("create-1");
  EXPECT_THAT(state_.load_intents(), ElementsAre(snapshot_intent()));
}

TEST_F(ARuntimeState, QuarantinesBadFactsAndStillLoadsTheRest) {
  state_.save_facts(RuntimeMapFacts{"MAPPERD-good", true, 0});
  scratch_.write("run/mapperd/maps/MAPPERD-bad.json", "{\"format\": 1");
  scratch_.write("run/mapperd/maps/MAPPERD-other.json",
                 store::format_facts(RuntimeMapFacts{"MAPPERD-someone", true, 0}));
  EXPECT_THAT(state_.load_facts(), ElementsAre(RuntimeMapFacts{"MAPPERD-good", true, 0}));
  const std::vector<QuarantinedFile> quarantined = state_.take_quarantined();
  ASSERT_THAT(quarantined, SizeIs(2));
  EXPECT_EQ(quarantined[0].file, scratch_ / "run/mapperd/maps/MAPPERD-bad.json");
  EXPECT_THAT(quarantined[0].reason, HasSubstr("not valid JSON"));
  EXPECT_EQ(quarantined[0].moved_to.parent_path(), scratch_ / "run/mapperd/quarantine/maps");
  EXPECT_THAT(quarantined[1].reason,
              HasSubstr("field 'uuid': 'MAPPERD-someone' does not match the file name"));
  EXPECT_THAT(state_.take_quarantined(), IsEmpty()) << "taken once";
  EXPECT_THAT(scratch_.names_in("run/mapperd/maps"), ElementsAre("MAPPERD-good.json"));
}

TEST_F(ARuntimeState, QuarantinesBadIntentsAndStillLoadsTheRest) {
  state_.save_intent(snapshot_intent());
  std::string newer = store::format_intent(OperationIntent{"create-2", "create", {}, {}, {}});
  newer.replace(newer.find("\"format\": 1"), 11, "\"format\": 3");
  scratch_.write("run/mapperd/operations/create-2.json", newer);
  EXPECT_THAT(state_.load_intents(), ElementsAre(snapshot_intent()));
  const std::vector<QuarantinedFile> quarantined = state_.take_quarantined();
  ASSERT_THAT(quarantined, SizeIs(1));
  EXPECT_EQ(quarantined[0].reason, "written by a newer mapperd (format 3; this one reads 1)");
  EXPECT_EQ(quarantined[0].moved_to.parent_path(), scratch_ / "run/mapperd/quarantine/operations");
}

TEST_F(ARuntimeState, RefusesUuidsAndIdsThatCannotBeFiles) {
  EXPECT_THROW(state_.save_facts(RuntimeMapFacts{"LVM-x", true, 0}), Error);
  EXPECT_THROW(state_.save_intent(OperationIntent{"a/b", "create", {}, {}, {}}), Error);
  EXPECT_THROW(state_.remove_intent(".hidden"), Error);
  try {
    state_.remove_facts("../x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidName);
  }
}

}  // namespace
}  // namespace mapperd
