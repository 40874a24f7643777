// snapshot-origin plus snapshot over loop devices, with a persistent (P) and a transient (N)
// exception store and two chunk sizes: the snapshot keeps the origin's old bytes, and writes to
// it stay out of the origin.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "byte_checks.h"
#include "guest_world.h"

namespace mapperd::guest {
namespace {

using ::testing::MatchesRegex;

struct SnapshotCase {
  std::string store;  // "P" or "N"
  std::uint64_t chunk;
};

// "allocated/total metadata", as dm-snapshot reports its COW usage in sectors.
struct CowUsage {
  std::uint64_t allocated = 0;
  std::uint64_t total = 0;
  std::uint64_t metadata = 0;
};

CowUsage cow_usage(const std::string& status) {
  CowUsage usage;
  char slash = 0;
  std::istringstream in(status);
  in >> usage.allocated >> slash >> usage.total >> usage.metadata;
  EXPECT_TRUE(in && slash == '/') << "not a snapshot status: '" << status << "'";
  return usage;
}

class ASnapshot : public AGuestTest, public ::testing::WithParamInterface<SnapshotCase> {
 protected:
  static constexpr std::uint64_t kSectors = 4096;  // 2 MiB, the tutorial's smallest

  ASnapshot()
      : origin_disk_("origin", kSectors * kSectorBytes,
                     [](std::uint64_t sector) { return sector_pattern("old", sector); }),
        cow_disk_("cow", 2048 * kSectorBytes) {}

  void SetUp() override {
    AGuestTest::SetUp();
    const std::string size = std::to_string(kSectors);
    create(origin_, "0 " + size + " snapshot-origin " + origin_disk_.path() + "\n");
    // The tutorial's word for the kernel's "snapshot".
    create(snapshot_, "0 " + size + " snapshot-target " + origin_disk_.path() + " " +
                          cow_disk_.path() + " " + GetParam().store + " " +
                          std::to_string(GetParam().chunk) + "\n");
  }

  CowUsage usage() {
    const std::vector<TargetLine> status = backend().status(snapshot_);
    EXPECT_EQ(status.size(), 1u);
    return status.empty() ? CowUsage{} : cow_usage(status[0].params);
  }

  std::uint64_t chunk() const { return GetParam().chunk; }

  const std::string origin_ = map_name("origin");
  const std::string snapshot_ = map_name("snapshot");
  LoopDevice origin_disk_;
  LoopDevice cow_disk_;
};

TEST_P(ASnapshot, StillReadsTheOldBytesAfterTheOriginChanged) {
  const std::vector<std::uint64_t> sectors = {0, chunk() - 1, chunk(), 5 * chunk() + 3,
                                              kSectors - 1};
  expect_writes_land(mapper_path(origin_), "new", sectors, [&](std::uint64_t s) {
    return Place{&origin_disk_, s};
  });
  for (std::uint64_t s : sectors) {
    const std::string seen = read_device(mapper_path(snapshot_), s);
    EXPECT_TRUE(seen == sector_pattern("old", s))
        << "the snapshot's sector " << s << " holds " << describe(seen);
  }
}

TEST_P(ASnapshot, LeavesTheOriginAloneWhenItIsWritten) {
  const std::vector<std::uint64_t> sectors = {2 * chunk() + 1, kSectors - chunk()};
  for (std::uint64_t s : sectors)
    write_device(mapper_path(snapshot_), s, sector_pattern("snap", s));
  for (std::uint64_t s : sectors) {
    EXPECT_EQ(read_device(mapper_path(snapshot_), s), sector_pattern("snap", s));
    const std::string origin = read_device(mapper_path(origin_), s);
    EXPECT_TRUE(origin == sector_pattern("old", s))
        << "the origin's sector " << s << " holds " << describe(origin);
    EXPECT_EQ(origin_disk_.read_backing(s), sector_pattern("old", s));
  }
}

TEST_P(ASnapshot, ShowsItsCowUsageGrowWithEachCopiedChunk) {
  const CowUsage before = usage();
  EXPECT_EQ(before.total, cow_disk_.size().count());
  write_device(mapper_path(origin_), 0, sector_pattern("new", 0));
  write_device(mapper_path(origin_), 8 * chunk(), sector_pattern("new", 8 * chunk()));
  const CowUsage after = usage();
  // Two chunks copied to the COW device; a persistent store may add metadata as it goes.
  EXPECT_GE(after.allocated, before.allocated + 2 * chunk());
  EXPECT_EQ(after.total, before.total);
  if (GetParam().store == "N") {
    EXPECT_EQ(after.metadata, 0u);
  }
}

TEST_P(ASnapshot, IsRemovedBeforeItsOrigin) {
  backend().remove(snapshot_);
  backend().remove(origin_);
  EXPECT_EQ(backend().info(snapshot_), std::nullopt);
  EXPECT_EQ(backend().info(origin_), std::nullopt);
}

// snapshot-merge takes only a persistent store (the model refuses N).
class APersistentSnapshot : public ASnapshot {};

TEST_P(APersistentSnapshot, MergesBackIntoTheOriginWithASnapshotMergeTable) {
  write_device(mapper_path(origin_), chunk(), sector_pattern("new", chunk()));
  write_device(mapper_path(snapshot_), 3 * chunk(), sector_pattern("snap", 3 * chunk()));
  backend().remove(snapshot_);

  backend().reload(origin_, kernel_table("0 " + std::to_string(kSectors) + " snapshot-merge " +
                                         origin_disk_.path() + " " + cow_disk_.path() + " P " +
                                         std::to_string(chunk()) + "\n"));
  const std::vector<TargetLine> table = backend().table(origin_);
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(table[0].type, "snapshot-merge");
  EXPECT_EQ(table[0].params, origin_disk_.number().to_string() + " " +
                                 cow_disk_.number().to_string() + " P " + std::to_string(chunk()));

  // The merge runs in the kernel's own time and says it is done when only metadata is left.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  CowUsage merging;
  do {
    const std::vector<TargetLine> status = backend().status(origin_);
    ASSERT_EQ(status.size(), 1u);
    merging = cow_usage(status[0].params);
    if (merging.allocated == merging.metadata)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(merging.allocated, merging.metadata) << "the merge did not finish in time";

  // The origin is now what the snapshot was: its own change undone, the snapshot's kept.
  EXPECT_EQ(read_device(mapper_path(origin_), chunk()), sector_pattern("old", chunk()));
  EXPECT_EQ(read_device(mapper_path(origin_), 3 * chunk()), sector_pattern("snap", 3 * chunk()));
}

std::string case_name(const ::testing::TestParamInfo<SnapshotCase>& info) {
  return info.param.store + "chunk" + std::to_string(info.param.chunk);
}

INSTANTIATE_TEST_SUITE_P(Stores, ASnapshot,
                         ::testing::Values(SnapshotCase{"P", 8}, SnapshotCase{"P", 16},
                                           SnapshotCase{"N", 8}, SnapshotCase{"N", 16}),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Stores, APersistentSnapshot,
                         ::testing::Values(SnapshotCase{"P", 8}, SnapshotCase{"P", 16}), case_name);

}  // namespace
}  // namespace mapperd::guest
