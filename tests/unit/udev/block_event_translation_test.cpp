// udev's block events turned into BlockDeviceEvent values, on plain values.

#include "udev/block_event_translation.h"

#include <gtest/gtest.h>

namespace mapperd {
namespace {

using Action = BlockDeviceEvent::Action;

UdevBlockEvent disk(std::string action, std::uint64_t size = 2048) {
  return UdevBlockEvent{std::move(action), "sdb", "/dev/sdb", {8, 16}, true, false, size};
}

UdevBlockEvent loop(std::string action, bool bound) {
  return UdevBlockEvent{std::move(action), "loop3", "/dev/loop3", {7, 3}, true, bound,
                        bound ? 8192u : 0u};
}

UdevBlockEvent map(std::string action, std::uint64_t size) {
  return UdevBlockEvent{std::move(action), "dm-2", "/dev/dm-2", {253, 2}, true, false, size};
}

BlockDeviceEvent event(Action action, const UdevBlockEvent& from) {
  const bool is_loop = from.sysname.starts_with("loop");
  return BlockDeviceEvent{action, from.number, from.devnode, is_loop,
                          is_loop && from.loop_bound && action != Action::Vanished};
}

TEST(ABlockEvent, OfADiskAddedIsAppeared) {
  EXPECT_EQ(translate(disk("add"), false), event(Action::Appeared, disk("add")));
}

TEST(ABlockEvent, OfAKnownDiskChangedIsChanged) {
  EXPECT_EQ(translate(disk("change"), true), event(Action::Changed, disk("change")));
}

TEST(ABlockEvent, OfADiskRemovedIsVanished) {
  const UdevBlockEvent removed = disk("remove", 0);
  EXPECT_EQ(translate(removed, true), event(Action::Vanished, removed));
  EXPECT_EQ(translate(removed, false), event(Action::Vanished, removed));
}

TEST(ABlockEvent, OfADeviceUdevHasNotInitialisedIsNothing) {
  UdevBlockEvent raw = disk("add");
  raw.initialized = false;
  EXPECT_EQ(translate(raw, false), std::nullopt);
}

TEST(ABlockEvent, OfALoopDeviceAddedWithoutAFileIsNothing) {
  EXPECT_EQ(translate(loop("add", false), false), std::nullopt);
}

TEST(ABlockEvent, OfALoopDeviceBoundIsAppeared) {
  const BlockDeviceEvent expected = event(Action::Appeared, loop("change", true));
  EXPECT_EQ(translate(loop("change", true), false), expected);
  EXPECT_TRUE(expected.is_loop);
  EXPECT_TRUE(expected.loop_bound);
}

TEST(ABlockEvent, OfALoopDeviceUnboundIsVanished) {
  EXPECT_EQ(translate(loop("change", false), true), event(Action::Vanished, loop("change", false)));
  // Also when it was bound before the monitor opened.
  EXPECT_EQ(translate(loop("change", false), false),
            event(Action::Vanished, loop("change", false)));
}

TEST(ABlockEvent, OfALoopDeviceBoundButEmptyIsNotAppeared) {
  UdevBlockEvent raw = loop("change", true);
  raw.size = 0;
  EXPECT_EQ(translate(raw, false)->action, Action::Vanished);
}

TEST(ABlockEvent, OfALoopPartitionIsAnOrdinaryDevice) {
  UdevBlockEvent raw = loop("add", false);
  raw.sysname = "loop3p1";
  raw.size = 100;
  const std::optional<BlockDeviceEvent> translated = translate(raw, false);
  ASSERT_TRUE(translated.has_value());
  EXPECT_EQ(translated->action, Action::Appeared);
  EXPECT_FALSE(translated->is_loop);
}

TEST(ABlockEvent, OfAMapAddedBeforeItsTableIsNothing) {
  EXPECT_EQ(translate(map("add", 0), false), std::nullopt);
}

TEST(ABlockEvent, OfAMapGivenItsTableIsAppeared) {
  EXPECT_EQ(translate(map("change", 1024), false), event(Action::Appeared, map("change", 1024)));
}

TEST(ABlockEvent, OfADeviceWhoseSizeCannotBeReadIsNotAppeared) {
  UdevBlockEvent raw = disk("add");
  raw.size = std::nullopt;
  EXPECT_EQ(translate(raw, false), std::nullopt);
}

TEST(ABlockEvent, WithAnActionAboutDriversIsNothing) {
  for (const char* action : {"bind", "unbind", "online", "offline", ""}) {
    EXPECT_EQ(translate(disk(action), true), std::nullopt) << action;
  }
}

TEST(ABlockEventTranslator, SaysAppearedOnceThenChanged) {
  BlockEventTranslator translator;
  EXPECT_EQ(translator.translate(loop("add", false)), std::nullopt);
  EXPECT_EQ(translator.translate(loop("change", true))->action, Action::Appeared);
  EXPECT_EQ(translator.translate(loop("change", true))->action, Action::Changed);
  EXPECT_EQ(translator.translate(loop("change", false))->action, Action::Vanished);
  EXPECT_EQ(translator.translate(loop("change", true))->action, Action::Appeared);
  EXPECT_EQ(translator.translate(loop("remove", false))->action, Action::Vanished);
}

TEST(ABlockEventTranslator, ForgetsEverythingAfterAnOverflow) {
  BlockEventTranslator translator;
  translator.translate(disk("add"));
  translator.forget();
  EXPECT_EQ(translator.translate(disk("change"))->action, Action::Appeared);
}

}  // namespace
}  // namespace mapperd
