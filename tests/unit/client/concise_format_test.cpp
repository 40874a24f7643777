// The dmsetup create --concise format, read: fields, escapes, and the errors that name the map.
#include "concise_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exit_status.h"
#include "map_output.h"

namespace mapperctl {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view text) {
  try {
    parse_concise(text);
  } catch (const CommandError& e) {
    EXPECT_EQ(e.status(), ExitStatus::Invalid);
    return e.what();
  }
  ADD_FAILURE() << "parse_concise accepted \"" << text << "\"";
  return "";
}

TEST(ParseConcise, ReadsTheExampleOfDmsetupsManual) {
  const auto maps = parse_concise(
      "test-linear,,,rw,0 32768 linear 7:1 0,32768 30720 linear 7:2 0;"
      "test-striped,,,rw,0 61440 striped 2 32 7:3 0 7:4 0\n");
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].position, 1u);
  EXPECT_EQ(maps[0].name, "test-linear");
  EXPECT_EQ(maps[0].uuid, "");
  EXPECT_FALSE(maps[0].read_only);
  EXPECT_EQ(maps[0].table, "0 32768 linear 7:1 0\n32768 30720 linear 7:2 0\n");
  EXPECT_EQ(maps[1].position, 2u);
  EXPECT_EQ(maps[1].table, "0 61440 striped 2 32 7:3 0 7:4 0\n");
}

TEST(ParseConcise, KeepsEqualsSignsAndEscapedSeparatorsInFields) {
  const auto maps = parse_concise("a=b\\,c\\;d\\\\e,uu\\,id,,ro,0 8 zero");
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].name, "a=b,c;d\\e");
  EXPECT_EQ(maps[0].uuid, "uu,id");
  EXPECT_TRUE(maps[0].read_only);
}

TEST(ParseConcise, ReadsWhatTableConcisePrintsForMapsWithoutMinor) {
  MapInfo map;
  map.name = "odd,name;here";
  map.uuid = "MAPPERD-1";
  map.table = "0 8 zero\n";
  // format_concise() writes the minor; a text for create leaves it empty.
  std::string text = format_concise({map});
  text.replace(text.find(",0,rw"), 5, ",,rw");
  const auto maps = parse_concise(text);
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].name, "odd,name;here");
  EXPECT_EQ(maps[0].uuid, "MAPPERD-1");
  EXPECT_EQ(maps[0].table, "0 8 zero\n");
}

TEST(ParseConcise, NamesTheMapAndTheFieldOfEveryProblem) {
  EXPECT_THAT(error_of(""), HasSubstr("names no map"));
  EXPECT_THAT(error_of("\n"), HasSubstr("names no map"));
  EXPECT_THAT(error_of("a,,,rw"), HasSubstr("concise map #1 'a': it has 4 field(s)"));
  EXPECT_THAT(error_of("a,,,rw,0 8 zero;,,,rw,0 8 zero"),
              HasSubstr("concise map #2: the name (field 1) is empty"));
  EXPECT_THAT(error_of("a,,,RW,0 8 zero"), HasSubstr("flags 'RW' (field 4)"));
  EXPECT_THAT(error_of("a,,7,rw,0 8 zero"), HasSubstr("minor '7' (field 3)"));
  EXPECT_THAT(error_of("a,,,rw,0 8 zero,"), HasSubstr("table line 2 (field 6) is empty"));
  EXPECT_THAT(error_of("a,,,rw,0 8 zero;"), HasSubstr("concise map #2"));
  EXPECT_THAT(error_of("a,,,rw,0 8 zero\\"), HasSubstr("lone \"\\\""));
}

}  // namespace
}  // namespace mapperctl
