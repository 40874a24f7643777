#include "object_path.h"

#include <gtest/gtest.h>

namespace mapperctl {
namespace {

class AMapName : public ::testing::TestWithParam<std::string> {};

TEST_P(AMapName, IsReadBackFromItsObjectPath) {
  EXPECT_EQ(map_name_from_path(map_object_path(GetParam())), GetParam());
}

INSTANTIATE_TEST_SUITE_P(TutorialAndAwkwardNames, AMapName,
                         ::testing::Values("twoasone", "new_name", "my-map", "vg0-lv.1",
                                           "0starts-with-digit", "a#b+c:d=e@f", "x", "Z9",
                                           std::string("\xc3\xa9t\xc3\xa9")));

// The paths mapperd exports (daemon/bus/object_paths.cpp encodes with the same sd-bus call;
// tests/unit/bus/bus_service_test.cpp checks the paths the daemon answers the same way).
TEST(AMapObjectPath, EscapesNamesAsMapperdExportsThem) {
  EXPECT_EQ(map_object_path("new_name"), "/org/mapperd/Mapper1/map/new_5fname");
  EXPECT_EQ(map_object_path("twoasone"), "/org/mapperd/Mapper1/map/twoasone");
  EXPECT_EQ(map_object_path("vg0-lv.1"), "/org/mapperd/Mapper1/map/vg0_2dlv_2e1");
  EXPECT_EQ(map_object_path("0starts"), "/org/mapperd/Mapper1/map/_30starts");
  EXPECT_EQ(map_object_path("Z9"), "/org/mapperd/Mapper1/map/Z9");
  EXPECT_EQ(map_object_path("\xc3\xa9"), "/org/mapperd/Mapper1/map/_c3_a9");
  EXPECT_EQ(map_object_path(""), "/org/mapperd/Mapper1/map/_");
}

TEST(AnObjectPath, OutsideTheMapsHasNoMapName) {
  EXPECT_FALSE(map_name_from_path("/org/mapperd/Mapper1"));
  EXPECT_FALSE(map_name_from_path("/org/mapperd/Mapper1/map"));
  EXPECT_FALSE(map_name_from_path("/org/mapperd/Mapper1/map/a/b"));
  EXPECT_FALSE(map_name_from_path("/org/other/map/a"));
}

TEST(ALoopObjectPath, IsItsNumberUnderLoop) {
  EXPECT_EQ(loop_object_path(0), "/org/mapperd/Mapper1/loop/0");
  EXPECT_EQ(loop_object_path(12), "/org/mapperd/Mapper1/loop/12");
  EXPECT_EQ(loop_index_from_path("/org/mapperd/Mapper1/loop/12"), 12u);
  EXPECT_EQ(loop_index_from_path("/org/mapperd/Mapper1/loop/0"), 0u);
}

TEST(AnObjectPath, OutsideTheLoopsHasNoLoopNumber) {
  for (const char* path :
       {"/org/mapperd/Mapper1/loop", "/org/mapperd/Mapper1/loop/", "/org/mapperd/Mapper1/loop/01",
        "/org/mapperd/Mapper1/loop/1/2", "/org/mapperd/Mapper1/map/_31",
        "/org/mapperd/Mapper1/loop/4294967296"}) {
    EXPECT_FALSE(loop_index_from_path(path)) << path;
  }
}

TEST(ALoopDevice, IsNamedByItsPathItsNameOrItsNumber) {
  EXPECT_EQ(parse_loop_device("/dev/loop7"), 7u);
  EXPECT_EQ(parse_loop_device("loop7"), 7u);
  EXPECT_EQ(parse_loop_device("7"), 7u);
  EXPECT_EQ(parse_loop_device("0"), 0u);
  for (const char* text : {"", "loop", "/dev/loop", "/dev/sda", "07", "+7", "-7", "loop7p1",
                           "/dev/loop/7", "dev/loop7", "7 "}) {
    EXPECT_FALSE(parse_loop_device(text)) << text;
  }
}

}  // namespace
}  // namespace mapperctl
