// What udev's rules are told a map is: its layers hidden, its snapshots behind the origin.

#include "kernel/udev_role.h"

#include <gtest/gtest.h>
#include <libdevmapper.h>

namespace mapperd {
namespace {

TargetLine line(const std::string& type, const std::string& params) {
  return TargetLine{Sectors(0), Sectors(8), type, params};
}

TEST(TheUdevRole, HidesTheLayerUnderASnapshotOrigin) {
  EXPECT_EQ(udev_role("MAPPERD-0123-real", {line("linear", "7:1 0")}), UdevRole::HiddenLayer);
  EXPECT_EQ(udev_role_flags(UdevRole::HiddenLayer),
            DM_UDEV_DISABLE_DISK_RULES_FLAG | DM_UDEV_DISABLE_OTHER_RULES_FLAG);
}

TEST(TheUdevRole, PutsASnapshotsLinksBehindItsOrigins) {
  EXPECT_EQ(udev_role("MAPPERD-4567", {line("snapshot", "254:1 7:3 P 8")}), UdevRole::Snapshot);
  EXPECT_EQ(udev_role_flags(UdevRole::Snapshot), DM_UDEV_LOW_PRIORITY_FLAG);
}

TEST(TheUdevRole, LeavesEveryOtherMapToAllTheRules) {
  for (const char* type : {"linear", "snapshot-origin", "snapshot-merge", "zero", "error"})
    EXPECT_EQ(udev_role("MAPPERD-89ab", {line(type, "7:1 0")}), UdevRole::Visible) << type;
  EXPECT_EQ(udev_role("MAPPERD-realistic", {}), UdevRole::Visible);
  EXPECT_EQ(udev_role_flags(UdevRole::Visible), 0);
}

}  // namespace
}  // namespace mapperd
