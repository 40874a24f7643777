// Merges of stored snapshots: deferred in the definition while the maps are open, started at the
// next boot's restore, followed again after a daemon restart, and the definitions as each step
// leaves them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "persistence_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr DeviceNumber kDiskA{8, 16};
constexpr DeviceNumber kCowDisk{8, 32};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class AStoredSnapshot : public PersistenceFixture {
 protected:
  void SetUp() override {
    plug_disk(kDiskA, "DISK-A");
    plug_disk(kCowDisk, "COW-DISK", Sectors(2048));
    start();
    create({.name = "origin", .table = "0 4096 linear /dev/disk16 0\n", .caller_uid = 1000});
    set_cow_usage(100);
    std::optional<Outcome<MapRecord>> made;
    engine().create_snapshot(
        {.origin = "origin", .name = "snap", .cow_device = "/dev/disk32", .caller_uid = 1000},
        into(made));
    wait_for(made).value_or_throw();
  }
  void set_cow_usage(std::uint64_t allocated) {
    on_kernel([allocated](FakeKernelBackend& fake) {
      fake.set_cow_usage(kCowDisk, Sectors(allocated), Sectors(16));
    });
  }
  Outcome<MergeStarted> merge(bool now = false) {
    std::optional<Outcome<MergeStarted>> started;
    engine().merge_snapshot({.snapshot = "snap", .now = now, .caller_uid = 1000}, into(started));
    return wait_for(started);
  }
  void run_until(const std::function<bool()>& done) {
    if (!loop_.run_until(done, std::chrono::seconds(10)))
      throw std::runtime_error("the condition did not come true within 10 s");
  }
  std::filesystem::path map_file(const std::string& name) const {
    return state_dir() / "maps" / (name + ".json");
  }
  bool merging(const std::string& name) {
    const MapRecord* record = engine().catalog().find(name);
    return record != nullptr && record->merging;
  }
};

TEST_F(AStoredSnapshot, DefersTheMergeOfAnOpenOriginInItsDefinitionAndChangesNothingElse) {
  const std::string origin_table = kernel_table("origin");
  const MapState state = engine().catalog().find("snap")->state;
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("origin", 1); });
  observer().events.clear();
  EXPECT_TRUE(merge().value_or_throw().deferred());

  EXPECT_TRUE(engine().catalog().find("snap")->merge_pending);
  EXPECT_EQ(engine().catalog().find("snap")->state, state);
  EXPECT_THAT(observer().events, Contains("changed snap: MergePending"));
  EXPECT_THAT(read_file(map_file("snap")), HasSubstr("\"merge-pending\": true"));
  EXPECT_EQ(kernel_table("origin"), origin_table);
  EXPECT_THAT(kernel_map_names(), Contains("snap"));
  EXPECT_TRUE(engine().jobs().all().empty());
  // "now" refuses to wait.
  EXPECT_FALSE(merge(true).ok());
}

TEST_F(AStoredSnapshot, StoresEachStepOfTheMergeInTheDefinitions) {
  const std::uint32_t id = *merge().value_or_throw().job;
  EXPECT_FALSE(std::filesystem::exists(map_file("snap")));
  EXPECT_THAT(read_file(map_file("origin")), HasSubstr("snapshot-merge"));
  EXPECT_TRUE(std::filesystem::exists(map_file("origin-real")));

  set_cow_usage(16);
  run_until([&] { return engine().jobs().find(id) == nullptr; });
  EXPECT_EQ(kernel_table("origin"), "0 4096 linear 8:16 0\n");
  EXPECT_THAT(kernel_map_names(), Not(Contains("origin-real")));
  EXPECT_THAT(read_file(map_file("origin")), HasSubstr("linear 8:16 0"));
  EXPECT_THAT(read_file(map_file("origin")), Not(HasSubstr("snapshot")));
  EXPECT_FALSE(std::filesystem::exists(map_file("origin-real")));
  EXPECT_TRUE(runtime_state_.load_intents().empty());
}

TEST_F(AStoredSnapshot, MergesWithNowOnceTheOriginIsClosed) {
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("origin", 1); });
  ASSERT_TRUE(merge().value_or_throw().deferred());
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("origin", 0); });
  const MergeStarted started = merge(true).value_or_throw();
  ASSERT_FALSE(started.deferred());
  EXPECT_TRUE(merging("origin"));
  EXPECT_FALSE(std::filesystem::exists(map_file("snap")));
}

TEST_F(AStoredSnapshot, StartsAPendingMergeAtTheNextBootsRestore) {
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("origin", 1); });
  ASSERT_TRUE(merge().value_or_throw().deferred());
  // Unmounted at shutdown.
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("origin", 0); });
  reboot();
  start();
  EXPECT_TRUE(merging("origin"));
  EXPECT_THAT(kernel_map_names(), Not(Contains("snap")));
  ASSERT_EQ(engine().jobs().all().size(), 1u);
  EXPECT_EQ(engine().jobs().all().begin()->second.origin, "origin");
  EXPECT_FALSE(std::filesystem::exists(map_file("snap")));
}

TEST_F(AStoredSnapshot, FollowsAMergeTheKernelRunsAfterADaemonRestart) {
  merge().value_or_throw();
  restart_daemon();
  start();
  ASSERT_EQ(engine().jobs().all().size(), 1u);
  const std::uint32_t id = engine().jobs().all().begin()->first;
  EXPECT_EQ(engine().jobs().find(id)->objects, std::vector<std::string>{"origin"});
  set_cow_usage(16);
  run_until([&] { return engine().jobs().find(id) == nullptr; });
  EXPECT_EQ(kernel_table("origin"), "0 4096 linear 8:16 0\n");
}

TEST_F(AStoredSnapshot, ComesBackMergingAfterARebootMidMerge) {
  merge().value_or_throw();
  reboot();
  start();
  EXPECT_TRUE(merging("origin"));
  ASSERT_EQ(engine().jobs().all().size(), 1u);
  const std::uint32_t id = engine().jobs().all().begin()->first;
  set_cow_usage(16);
  run_until([&] { return engine().jobs().find(id) == nullptr; });
  EXPECT_EQ(kernel_table("origin"), "0 4096 linear 8:16 0\n");
  EXPECT_FALSE(std::filesystem::exists(map_file("origin-real")));
}

}  // namespace
}  // namespace mapperd::testing
