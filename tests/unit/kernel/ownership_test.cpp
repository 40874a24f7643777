// Telling our maps from other tools'.

#include "kernel/ownership.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/error.h"

namespace mapperd {
namespace {

using ::testing::ElementsAre;

TEST(AMapsUuid, IsOursOnlyWithMapperdsPrefix) {
  EXPECT_TRUE(is_ours("MAPPERD-3f2a"));
  EXPECT_FALSE(is_ours("LVM-abc"));
  EXPECT_FALSE(is_ours("CRYPT-LUKS2-abc"));
  EXPECT_FALSE(is_ours(""));
}

TEST(OurMaps, AreTheListedMapsWithOurPrefixInListOrder) {
  const std::vector<MapListing> maps = {{"a", "MAPPERD-1", {253, 0}},
                                        {"b", "LVM-x", {253, 1}},
                                        {"c", "", {253, 2}},
                                        {"d", "MAPPERD-2", {253, 3}}};
  EXPECT_THAT(our_maps(maps), ElementsAre(maps[0], maps[3]));
}

TEST(RequiringOurMap, PassesForOurs) {
  MapInfo map;
  map.name = "mine";
  map.uuid = "MAPPERD-1";
  EXPECT_NO_THROW(require_ours("remove", map));
}

TEST(RequiringOurMap, RefusesAnotherToolsMapNamingIt) {
  MapInfo map;
  map.name = "vg0-root";
  map.uuid = "LVM-abc";
  try {
    require_ours("remove", map);
    FAIL() << "should have been refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::NotOwned);
    EXPECT_STREQ(error.what(),
                 "remove vg0-root: the map belongs to LVM (UUID LVM-abc); mapperd changes only "
                 "the maps it made");
  }
}

}  // namespace
}  // namespace mapperd
