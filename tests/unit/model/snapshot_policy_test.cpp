// A snapshot's fill thresholds and growth settings, and what makes them unusable.

#include "model/snapshot_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(FillThresholds, DefaultToEightyAndThenEveryFivePercent) {
  EXPECT_THAT(fill_thresholds_of(SnapshotPolicy{}), ElementsAre(80, 85, 90, 95, 100));
  EXPECT_THAT(fill_thresholds_of(SnapshotPolicy{.fill_thresholds = {50, 75}}), ElementsAre(50, 75));
}

TEST(FillThresholds, ReachedIsTheHighestAtOrBelowTheFill) {
  const std::vector<unsigned> defaults = fill_thresholds_of(SnapshotPolicy{});
  EXPECT_EQ(fill_threshold_reached(0, defaults), 0u);
  EXPECT_EQ(fill_threshold_reached(79.9, defaults), 0u);
  EXPECT_EQ(fill_threshold_reached(80, defaults), 80u);
  EXPECT_EQ(fill_threshold_reached(84.99, defaults), 80u);
  EXPECT_EQ(fill_threshold_reached(85, defaults), 85u);
  EXPECT_EQ(fill_threshold_reached(99.9, defaults), 95u);
  EXPECT_EQ(fill_threshold_reached(100, defaults), 100u);
  EXPECT_EQ(fill_threshold_reached(60, {10, 50, 70}), 50u);
}

TEST(APolicyProblem, IsNoneForTheDefaultsAndForIncreasingPercentages) {
  EXPECT_EQ(policy_problem(SnapshotPolicy{}), std::nullopt);
  EXPECT_EQ(policy_problem(SnapshotPolicy{
                .fill_thresholds = {1, 50, 100}, .auto_extend = true, .extend_percent = 100}),
            std::nullopt);
}

TEST(APolicyProblem, NamesAThresholdOutOfRangeOrOutOfOrder) {
  EXPECT_THAT(policy_problem(SnapshotPolicy{.fill_thresholds = {0}}),
              Optional(HasSubstr("0 is not a percentage between 1 and 100")));
  EXPECT_THAT(policy_problem(SnapshotPolicy{.fill_thresholds = {101}}),
              Optional(HasSubstr("101 is not a percentage")));
  EXPECT_THAT(policy_problem(SnapshotPolicy{.fill_thresholds = {90, 90}}),
              Optional(HasSubstr("90 after 90; they must increase")));
  EXPECT_THAT(policy_problem(SnapshotPolicy{.fill_thresholds = {95, 90}}),
              Optional(HasSubstr("90 after 95")));
}

TEST(APolicyProblem, NamesAnExtensionOutOfRange) {
  EXPECT_THAT(policy_problem(SnapshotPolicy{.extend_percent = 0}),
              Optional(HasSubstr("extend-percent: 0 is not between 1 and 100")));
  EXPECT_THAT(policy_problem(SnapshotPolicy{.extend_percent = 250}),
              Optional(HasSubstr("extend-percent: 250")));
}

}  // namespace
}  // namespace mapperd
