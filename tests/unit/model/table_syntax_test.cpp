// How table text is read: lines, words, numbers, comments, and how problems are reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

DeviceRef device(std::string_view text) {
  return *DeviceRef::parse(text);
}

TEST(ATableParser, ReadsStartLengthTargetAndArguments) {
  EXPECT_EQ(parse_table("0 4096 linear /dev/loop1 8\n", {}),
            (Table{{Segment{Sectors(0), Sectors(4096),
                            LinearTarget{device("/dev/loop1"), Sectors(8)}}}}));
}

TEST(ATableParser, ReadsOneSegmentPerLineInOrder) {
  const Table table = parse_table("0 8 zero\n8 16 error\n", {});
  EXPECT_EQ(table, (Table{{Segment{Sectors(0), Sectors(8), ZeroTarget{}},
                           Segment{Sectors(8), Sectors(16), ErrorTarget{}}}}));
}

TEST(ATableParser, AcceptsTabsAndRunsOfSpacesBetweenWords) {
  EXPECT_EQ(parse_table("  0\t4096   linear\t\t7:1  0  \n", {}),
            parse_table("0 4096 linear 7:1 0\n", {}));
}

TEST(ATableParser, AcceptsATableWithoutAFinalNewline) {
  EXPECT_EQ(parse_table("0 8 zero", {}), parse_table("0 8 zero\n", {}));
}

TEST(ATableParser, SkipsBlankAndCommentLinesButCountsThemInLineNumbers) {
  const std::string text =
      "# twoasone\n"
      "\n"
      "   \t\n"
      "  # indented comment\n"
      "0 8 zero\n"
      "9 8 zero\n";
  EXPECT_THAT(
      problems_in(text),
      ElementsAre("line 6: start: segment starts at 9 but the previous one ends at 8 (gap)"));
}

TEST(ATableParser, RefusesAnEmptyTable) {
  EXPECT_THAT(problems_in(""), ElementsAre("table: segments: the table has no segments"));
}

TEST(ATableParser, RefusesATableOfOnlyCommentsAndBlankLines) {
  EXPECT_THAT(problems_in("# nothing here\n\n"),
              ElementsAre("table: segments: the table has no segments"));
}

TEST(ATableParser, RefusesALineWithoutALength) {
  EXPECT_THAT(
      problems_in("0\n"),
      ElementsAre("line 1: length: missing (a line is 'start length target arguments...')"));
}

TEST(ATableParser, RefusesALineWithoutATarget) {
  EXPECT_THAT(problems_in("0 8\n"), ElementsAre("line 1: target: missing"));
}

TEST(ATableParser, RefusesANegativeNumber) {
  EXPECT_THAT(problems_in("0 -8 zero\n"),
              ElementsAre("line 1: length: '-8' is not a plain decimal number"));
}

TEST(ATableParser, RefusesANumberWithAPlusSign) {
  EXPECT_THAT(problems_in("+0 8 zero\n"),
              ElementsAre("line 1: start: '+0' is not a plain decimal number"));
}

TEST(ATableParser, RefusesAHexadecimalNumber) {
  EXPECT_THAT(problems_in("0 0x10 zero\n"),
              ElementsAre("line 1: length: '0x10' is not a plain decimal number"));
}

TEST(ATableParser, RefusesANumberWithAUnit) {
  EXPECT_THAT(problems_in("0 8k zero\n"),
              ElementsAre("line 1: length: '8k' is not a plain decimal number"));
}

TEST(ATableParser, AcceptsTheLargest64BitNumber) {
  EXPECT_THAT(problems_in("0 18446744073709551615 zero\n"), IsEmpty());
}

TEST(ATableParser, RefusesANumberPast64Bits) {
  EXPECT_THAT(problems_in("0 18446744073709551616 zero\n"),
              ElementsAre("line 1: length: '18446744073709551616' does not fit in 64 bits"));
}

TEST(ATableParser, ReadsLeadingZerosAsDecimal) {
  EXPECT_EQ(parse_table("0 010 zero\n", {}).segments.at(0).length, Sectors(10));
}

TEST(ATableParser, RefusesACarriageReturnAsPartOfAWord) {
  EXPECT_THAT(problems_in("0 8 zero\r\n"),
              ElementsAre("line 1: target: unknown target 'zero\\x0d': the running kernel does not "
                          "list it"));
}

TEST(ATableParser, ReportsEveryProblemOfEveryLine) {
  const std::string text =
      "0 8 linear loop1 x\n"
      "8 8 frobnicate\n";
  EXPECT_THAT(
      problems_in(text),
      ElementsAre(
          "line 1: device: 'loop1' is neither MAJOR:MINOR nor an absolute path under /dev/",
          "line 1: offset: 'x' is not a plain decimal number",
          "line 2: target: unknown target 'frobnicate': the running kernel does not list it"));
}

TEST(ATableParser, FindsNoProblemInAGoodTable) {
  EXPECT_THAT(check_table("0 8 zero\n", {}), IsEmpty());
}

TEST(ATableParser, ThrowsInvalidTableListingEveryProblemOnItsOwnLine) {
  EXPECT_EQ(thrown_by([] { parse_table("8 8 zero\n16 0 error\n", {}); }),
            (Thrown{ErrorKind::InvalidTable,
                    "line 1: start: the first segment starts at 8 but must start at 0\n"
                    "line 2: length: length is 0; a segment must map at least 1 sector"}));
}

TEST(ATableProblem, NamesItsLineFieldAndReason) {
  EXPECT_EQ((TableProblem{2, "start", "segment starts at 16000"}).to_string(),
            "line 2: start: segment starts at 16000");
}

TEST(ATableProblem, NamesTheTableWhenItConcernsNoLine) {
  EXPECT_EQ((TableProblem{0, "segments", "the table has no segments"}).to_string(),
            "table: segments: the table has no segments");
}

}  // namespace
}  // namespace mapperd
