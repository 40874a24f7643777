// A striped map over two loop devices: chunk i of the map is chunk i/2 of stripe i%2.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "byte_checks.h"
#include "guest_world.h"

namespace mapperd::guest {
namespace {

class AStripedMap : public AGuestTest, public ::testing::WithParamInterface<std::uint64_t> {
 protected:
  AStripedMap()
      : stripe0_("stripe0", 16384 * kSectorBytes),
        stripe1_("stripe1", 16384 * kSectorBytes),
        chunk_(GetParam()),
        chunks_(2 * (16384 / chunk_)) {}

  std::string table() const {
    return "0 " + std::to_string(chunks_ * chunk_) + " striped 2 " + std::to_string(chunk_) + " " +
           stripe0_.path() + " 0 " + stripe1_.path() + " 0\n";
  }

  Place where(std::uint64_t sector) const {
    const std::uint64_t chunk = sector / chunk_;
    const LoopDevice* stripe = chunk % 2 == 0 ? &stripe0_ : &stripe1_;
    return {stripe, (chunk / 2) * chunk_ + sector % chunk_};
  }

  LoopDevice stripe0_;
  LoopDevice stripe1_;
  std::uint64_t chunk_;
  std::uint64_t chunks_;
};

TEST_P(AStripedMap, IsAsLargeAsBothStripes) {
  const std::string name = map_name("striped");
  create(name, table());
  EXPECT_EQ(device_size(mapper_path(name)), Sectors(chunks_ * chunk_));
}

TEST_P(AStripedMap, PutsEachChunkOnTheNextStripeInTurn) {
  const std::string name = map_name("striped");
  create(name, table());
  std::vector<std::uint64_t> sectors;
  for (std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2},
                              std::uint64_t{3}, chunks_ - 2, chunks_ - 1}) {
    sectors.push_back(chunk * chunk_);               // a chunk's first sector
    sectors.push_back(chunk * chunk_ + chunk_ - 1);  // and its last
  }
  expect_writes_land(mapper_path(name), "striped", sectors,
                     [&](std::uint64_t s) { return where(s); });
}

TEST_P(AStripedMap, SplitsOneLargeWriteStripeByStripe) {
  const std::string name = map_name("striped");
  create(name, table());
  const std::uint64_t first = 4 * chunk_;
  const std::uint64_t count = 4 * chunk_;
  write_device(mapper_path(name), first, sector_patterns("wide", first, count));
  for (std::uint64_t s = first; s < first + count; ++s) {
    const Place place = where(s);
    const std::string below = place.device->read_backing(place.sector);
    ASSERT_TRUE(below == sector_pattern("wide", s))
        << "map sector " << s << " should be sector " << place.sector << " of "
        << place.device->path() << ", which holds " << describe(below);
  }
}

TEST_P(AStripedMap, ReportsBothStripesAlive) {
  const std::string name = map_name("striped");
  create(name, table());
  const std::vector<TargetLine> status = backend().status(name);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].params,
            "2 " + stripe0_.number().to_string() + " " + stripe1_.number().to_string() + " 1 AA");
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, AStripedMap, ::testing::Values(8, 128),
                         [](const ::testing::TestParamInfo<std::uint64_t>& info) {
                           return "chunk" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace mapperd::guest
