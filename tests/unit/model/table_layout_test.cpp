// The rules that tie a table's segments together: they tile the device from sector 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ATableLayout, AcceptsSegmentsThatFollowEachOtherWithoutAGap) {
  EXPECT_THAT(problems_in("0 16384 zero\n16384 8 error\n16392 8 zero\n"), IsEmpty());
}

TEST(ATableLayout, RefusesAFirstSegmentThatDoesNotStartAtZero) {
  EXPECT_THAT(problems_in("8 8 zero\n"),
              ElementsAre("line 1: start: the first segment starts at 8 but must start at 0"));
}

TEST(ATableLayout, RefusesAGapBetweenSegments) {
  EXPECT_THAT(
      problems_in("0 16384 zero\n20000 8 zero\n"),
      ElementsAre(
          "line 2: start: segment starts at 20000 but the previous one ends at 16384 (gap)"));
}

TEST(ATableLayout, RefusesAnOverlapBetweenSegments) {
  EXPECT_THAT(problems_in("0 16384 zero\n16000 8 zero\n"),
              ElementsAre("line 2: start: segment starts at 16000 but the previous one ends at "
                          "16384 (overlap)"));
}

TEST(ATableLayout, RefusesSegmentsOutOfOrder) {
  EXPECT_THAT(
      problems_in("0 8 zero\n16 8 zero\n8 8 zero\n"),
      ElementsAre("line 2: start: segment starts at 16 but the previous one ends at 8 (gap)",
                  "line 3: start: segment starts at 8 but the previous one ends at 24 (overlap)"));
}

TEST(ATableLayout, RefusesAZeroLengthSegment) {
  EXPECT_THAT(problems_in("0 0 zero\n"),
              ElementsAre("line 1: length: length is 0; a segment must map at least 1 sector"));
}

TEST(ATableLayout, RefusesASegmentWhoseEndDoesNotFitIn64Bits) {
  EXPECT_THAT(problems_in("0 18446744073709551615 zero\n18446744073709551615 1 zero\n"),
              ElementsAre("line 2: length: start 18446744073709551615 + length 1 does not fit in "
                          "64 bits"));
}

TEST(ATableLayout, GoesOnCheckingTheLayoutAfterALineWithABadTarget) {
  EXPECT_THAT(
      problems_in("0 8 nonsense\n9 8 zero\n"),
      ElementsAre("line 1: target: unknown target 'nonsense': the running kernel does not list it",
                  "line 2: start: segment starts at 9 but the previous one ends at 8 (gap)"));
}

TEST(ATableLayout, DoesNotGuessWhereALineWithAnUnreadableLengthEnds) {
  EXPECT_THAT(problems_in("0 eight zero\n9 8 zero\n17 8 zero\n"),
              ElementsAre("line 1: length: 'eight' is not a plain decimal number"));
}

TEST(ATable, IsAsLongAsItsLastSegmentReaches) {
  EXPECT_EQ(parse_table("0 8 zero\n8 4088 error\n", {}).size(), Sectors(4096));
}

TEST(ATable, IsEmptyWithoutSegments) {
  EXPECT_EQ(Table{}.size(), Sectors(0));
}

}  // namespace
}  // namespace mapperd
