// Every size a caller controls has a limit: accepted at it, refused one past it.
#include "model/table_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/table_parser.h"
#include "model_test_support.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// One zero segment, padded with a comment line to exactly `bytes` bytes.
std::string table_of_bytes(std::size_t bytes) {
  std::string text = "0 8 zero\n#";
  text += std::string(bytes - text.size(), 'x');
  return text;
}

std::string zero_segments(std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i)
    text += std::to_string(i * 8) + " 8 zero\n";
  return text;
}

std::string passthrough_line(std::size_t arguments) {
  std::string text = "0 8 thin";
  for (std::size_t i = 0; i < arguments; ++i)
    text += " a";
  return text + "\n";
}

std::string striped_line(std::size_t stripes) {
  std::string text =
      "0 " + std::to_string(stripes * 8) + " striped " + std::to_string(stripes) + " 8";
  for (std::size_t i = 0; i < stripes; ++i)
    text += " 7:" + std::to_string(i) + " 0";
  return text + "\n";
}

TableContext listing_thin() {
  TableContext context;
  context.passthrough_targets = {"thin"};
  return context;
}

TEST(ATableAtItsLimits, MayBe1MiBOfText) {
  const std::string text = table_of_bytes(kMaxTableBytes);
  ASSERT_EQ(text.size(), 1048576u);
  EXPECT_THAT(problems_in(text), IsEmpty());
}

TEST(ATableAtItsLimits, MayNotBeOneBytePast1MiB) {
  EXPECT_THAT(problems_in(table_of_bytes(kMaxTableBytes + 1)),
              ElementsAre("table: size: 1048577 bytes; the limit is 1048576"));
}

TEST(ATableAtItsLimits, MayHave1024Segments) {
  ASSERT_EQ(kMaxSegments, 1024u);
  const Table table = parse_table(zero_segments(kMaxSegments), {});
  EXPECT_EQ(table.segments.size(), 1024u);
}

TEST(ATableAtItsLimits, MayNotHave1025Segments) {
  EXPECT_THAT(problems_in(zero_segments(kMaxSegments + 1)),
              ElementsAre("table: segments: 1025 segments; the limit is 1024"));
}

TEST(ATableAtItsLimits, MayHave512ArgumentsOnALine) {
  ASSERT_EQ(kMaxArgumentsPerLine, 512u);
  EXPECT_THAT(problems_in(passthrough_line(kMaxArgumentsPerLine), listing_thin()), IsEmpty());
}

TEST(ATableAtItsLimits, MayNotHave513ArgumentsOnALine) {
  EXPECT_THAT(problems_in(passthrough_line(kMaxArgumentsPerLine + 1), listing_thin()),
              ElementsAre("line 1: arguments: 513 arguments; the limit is 512 per line"));
}

TEST(ATableAtItsLimits, MayHave128Stripes) {
  ASSERT_EQ(kMaxStripes, 128u);
  const Table table = parse_table(striped_line(kMaxStripes), {});
  EXPECT_EQ(std::get<StripedTarget>(table.segments.at(0).target).stripes.size(), 128u);
}

TEST(ATableAtItsLimits, MayNotHave129Stripes) {
  EXPECT_THAT(problems_in(striped_line(kMaxStripes + 1)),
              ElementsAre("line 1: stripe count: 129 stripes; the limit is 128"));
}

TEST(ATableAtItsLimits, ChecksTheSizeBeforeReadingAnyLine) {
  std::string text = "garbage\n#";
  text += std::string(kMaxTableBytes, 'x');
  EXPECT_THAT(problems_in(text), ElementsAre("table: size: 1048585 bytes; the limit is 1048576"));
}

TEST(ATableAtItsLimits, ChecksTheArgumentCountBeforeReadingTheLine) {
  std::string text = "x y thin";
  for (std::size_t i = 0; i <= kMaxArgumentsPerLine; ++i)
    text += " a";
  EXPECT_THAT(problems_in(text, listing_thin()),
              ElementsAre("line 1: arguments: 513 arguments; the limit is 512 per line"));
}

}  // namespace
}  // namespace mapperd
