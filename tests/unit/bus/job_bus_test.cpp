// Map.Merge and the Job objects it starts, on a private bus over the fake kernel backend: the
// job's object and properties, its progress as PropertiesChanged, Completed, and the refusals.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bus_client.h"
#include "mapperd_on_private_bus.h"
#include "private_bus.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr DeviceNumber kCow{7, 3};

class AMergeOnTheBus : public ::testing::Test {
 protected:
  AMergeOnTheBus() : mapperd_(bus_.address()), client_(bus_.address()) {
    client_.create_map("origin", "0 4096 linear /dev/loop1 0\n");
    set_cow_usage(1000);
    client_.create_snapshot("origin", "snap", "/dev/cow1");
    client_.take_signals();
  }

  void set_cow_usage(std::uint64_t allocated) {
    mapperd_.on_kernel([allocated](FakeKernelBackend& fake) {
      fake.set_cow_usage(kCow, Sectors(allocated), Sectors(16));
    });
  }
  sdbus::ObjectPath merge(const Properties& options = {}) {
    sdbus::ObjectPath job;
    client_.call(map_path("snap"), kMapInterface, "Merge", std::tie(job), options);
    return job;
  }
  std::string error_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const sdbus::Error& e) {
      return e.getName() + ": " + e.getMessage();
    }
    return "(no error)";
  }

  PrivateBus bus_;
  MapperdOnPrivateBus mapperd_;
  BusClient client_;
};

TEST_F(AMergeOnTheBus, ExportsAJobWithEveryPropertyBeforeItReplies) {
  const sdbus::ObjectPath job = merge();
  EXPECT_EQ(job, "/org/mapperd/Mapper1/job/1");
  const std::vector<RecordedSignal> signals = client_.take_signals();
  const auto added = std::find_if(signals.begin(), signals.end(), [&](const RecordedSignal& s) {
    return s.member == "InterfacesAdded" && s.path == job;
  });
  ASSERT_NE(added, signals.end());
  ASSERT_TRUE(added->added.contains(kJobInterface));
  EXPECT_THAT(
      keys_of(added->added.at(kJobInterface)),
      ElementsAre("BytesDone", "BytesTotal", "Cancelable", "ExpectedEndTime", "Objects",
                  "Operation", "Progress", "ProgressValid", "Rate", "StartTime", "StartedByUID"));
  const Properties& p = added->added.at(kJobInterface);
  EXPECT_EQ(p.at("Operation").get<std::string>(), "merge");
  EXPECT_THAT(p.at("Objects").get<std::vector<sdbus::ObjectPath>>(),
              ElementsAre(map_path("snap"), map_path("origin")));
  EXPECT_FALSE(p.at("Cancelable").get<bool>());
  EXPECT_EQ(p.at("BytesTotal").get<uint64_t>(), 984u * 512);
  EXPECT_GT(p.at("StartTime").get<uint64_t>(), 1'700'000'000'000'000u);
  EXPECT_EQ(p.at("StartedByUID").get<uint32_t>(), getuid());
  EXPECT_THAT(members_of(signals), Contains("InterfacesRemoved " + map_path("snap")));
  EXPECT_THAT(client_.managed_objects(), Contains(::testing::Key(job)));
}

TEST_F(AMergeOnTheBus, SendsProgressThenCompletedThenRemovesTheJob) {
  const sdbus::ObjectPath job = merge();
  set_cow_usage(508);
  auto progressed = client_.wait_for_signal([&](const RecordedSignal& s) {
    return s.member == "PropertiesChanged" && s.path == job && s.changed.contains("Progress") &&
           s.changed.at("Progress").get<double>() > 0.4;
  });
  EXPECT_DOUBLE_EQ(client_.get(job, kJobInterface, "Progress").get<double>(), 0.5);
  set_cow_usage(16);
  auto completed = client_.wait_for_signal(
      [&](const RecordedSignal& s) { return s.member == "Completed" && s.path == job; });
  ASSERT_FALSE(completed.empty());
  EXPECT_TRUE(completed.back().success);
  EXPECT_EQ(completed.back().message, "merged snap into origin");
  EXPECT_EQ(client_.get(map_path("origin"), kMapInterface, "Table").get<std::string>(),
            "0 4096 linear 7:1 0\n");
  client_.wait_for_signal(
      [&](const RecordedSignal& s) { return s.member == "InterfacesRemoved" && s.path == job; });
  EXPECT_THAT(client_.managed_objects(), ::testing::Not(Contains(::testing::Key(job))));
}

TEST_F(AMergeOnTheBus, RefusesToCancelAMerge) {
  const sdbus::ObjectPath job = merge();
  std::string error;
  try {
    client_.call(job, kJobInterface, "Cancel", std::tie(), Properties{});
  } catch (const sdbus::Error& e) {
    error = e.getName() + ": " + e.getMessage();
  }
  EXPECT_THAT(error, HasSubstr("org.mapperd.Mapper1.Error.Failed"));
  EXPECT_THAT(error, HasSubstr("cannot be undone partway"));
}

TEST_F(AMergeOnTheBus, IsBusyForRemoveOfTheOriginWhileTheMergeRuns) {
  merge();
  EXPECT_THAT(error_of([&] { client_.map_call("origin", "Remove"); }),
              HasSubstr("org.mapperd.Mapper1.Error.Busy: remove origin: job 1"));
}

TEST_F(AMergeOnTheBus, RefusesAMapThatIsNotASnapshotAndUnknownOptions) {
  EXPECT_THAT(error_of([&] {
                sdbus::ObjectPath job;
                client_.call(map_path("origin"), kMapInterface, "Merge", std::tie(job),
                             Properties{});
              }),
              HasSubstr("InvalidArgument"));
  EXPECT_THAT(error_of([&] {
                merge({{"later", sdbus::Variant(true)}});
              }),
              HasSubstr("InvalidArgument"));
  EXPECT_THAT(error_of([&] {
                merge({{"now", sdbus::Variant(std::string("yes"))}});
              }),
              HasSubstr("InvalidArgument"));
}

TEST_F(AMergeOnTheBus, SaysInTheJournalWhenLogindRefusesTheShutdownInhibitor) {
  merge();
  // The private bus has no logind: the merge runs, and the refusal is logged.
  const std::vector<std::string> lines = mapperd_.logged();
  EXPECT_THAT(
      lines,
      Contains(HasSubstr("logind refused a shutdown:sleep inhibitor while merging snapshot snap")));
  EXPECT_EQ(
      client_.get("/org/mapperd/Mapper1/job/1", kJobInterface, "Operation").get<std::string>(),
      "merge");
}

TEST_F(AMergeOnTheBus, ShowsMergePendingOnEveryMap) {
  EXPECT_FALSE(client_.get(map_path("snap"), kMapInterface, "MergePending").get<bool>());
}

}  // namespace
}  // namespace mapperd::testing
