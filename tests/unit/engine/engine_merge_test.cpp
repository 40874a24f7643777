// Merge: a persistent snapshot folded back into its origin as a job, over the fake kernel
// backend, whose COW usage the tests move as the kernel's merge would.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_fixture.h"

namespace mapperd::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class AnEngineWithASnapshot : public EngineFixture {
 protected:
  AnEngineWithASnapshot() {
    start_engine();
    create("origin", linear_table());
    // 1000 sectors allocated, 16 of them metadata: 984 to merge.
    set_cow_usage(1000);
    snapshot("origin", "snap");
    observer_.events.clear();
  }

  void set_cow_usage(std::uint64_t allocated) {
    on_kernel([allocated](FakeKernelBackend& fake) {
      fake.set_cow_usage(kCow1, Sectors(allocated), Sectors(16));
    });
  }
  MergeStarted merge(const std::string& name, bool now = false) {
    std::optional<Outcome<MergeStarted>> started;
    engine_.merge_snapshot({.snapshot = name, .now = now, .caller_uid = 1000}, into(started));
    return wait_for(started).value_or_throw();
  }
  std::string thrown_by(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.what();
    }
    return "(nothing thrown)";
  }
  void run_until(const std::function<bool()>& done) {
    if (!loop_.run_until(done, std::chrono::seconds(10)))
      throw std::runtime_error("the condition did not come true within 10 s");
  }
  std::string device_of(const std::string& name) { return map(name).device.to_string(); }
};

TEST_F(AnEngineWithASnapshot, TurnsTheOriginIntoASnapshotMergeAndRemovesTheSnapshot) {
  const std::string layer = device_of("origin-real");
  const MergeStarted started = merge("snap");
  ASSERT_FALSE(started.deferred());

  EXPECT_EQ(engine_.catalog().find("snap"), nullptr);
  EXPECT_EQ(map("origin").table, "0 4096 snapshot-merge " + layer + " 7:3 P 8\n");
  EXPECT_TRUE(map("origin").merging);
  EXPECT_TRUE(map("origin-real").hidden());
  EXPECT_EQ(map("origin").state, MapState::Active);
  const JobRecord* job = engine_.jobs().find(*started.job);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->operation, "merge");
  EXPECT_THAT(job->objects, ElementsAre("snap", "origin"));
  EXPECT_EQ(job->started_by_uid, 1000u);
  EXPECT_FALSE(job->cancelable);
  EXPECT_TRUE(job->progress_valid);
  EXPECT_EQ(job->bytes_total, 984u * 512);
  EXPECT_THAT(observer_.events, Contains("job added " + std::to_string(*started.job)));
  EXPECT_THAT(observer_.events, Contains("removed snap"));
}

TEST_F(AnEngineWithASnapshot, FollowsTheMergesProgressAndFoldsTheOriginBackWhenItIsComplete) {
  const std::uint32_t id = *merge("snap").job;
  set_cow_usage(508);  // half of the 984 merged
  run_until([&] { return engine_.jobs().find(id)->bytes_done > 0; });
  EXPECT_DOUBLE_EQ(engine_.jobs().find(id)->progress(), 0.5);
  EXPECT_EQ(map("origin").state, MapState::Active);

  set_cow_usage(16);
  run_until([&] { return engine_.jobs().find(id)->finished; });
  const JobRecord& job = *engine_.jobs().find(id);
  EXPECT_TRUE(job.success);
  EXPECT_EQ(job.message, "merged snap into origin");
  EXPECT_EQ(map("origin").table, "0 4096 linear 7:1 0\n");
  EXPECT_FALSE(map("origin").merging);
  EXPECT_EQ(engine_.catalog().find("origin-real"), nullptr);
  EXPECT_THAT(observer_.events, Contains("job changed " + std::to_string(id) + " 50%"));
  EXPECT_THAT(observer_.events,
              Contains("job completed " + std::to_string(id) + " ok: merged snap into origin"));

  run_until([&] { return engine_.jobs().find(id) == nullptr; });
  EXPECT_EQ(observer_.events.back(), "job removed " + std::to_string(id));
}

TEST_F(AnEngineWithASnapshot, LetsARemoveThatWaitedForTheFoldBackRunOnceTheMergeIsDone) {
  const std::uint32_t id = *merge("snap").job;
  set_cow_usage(16);
  const std::string complete = "job changed " + std::to_string(id) + " 100%";
  // The last sample seen: the fold-back is under way and holds the origin; a remove asked for
  // now (a script that saw the plain table) waits for it, and finds the job ended.
  run_until([&] {
    return std::find(observer_.events.begin(), observer_.events.end(), complete) !=
           observer_.events.end();
  });
  ASSERT_FALSE(engine_.jobs().find(id)->finished);

  remove("origin");

  EXPECT_EQ(engine_.catalog().find("origin"), nullptr);
  EXPECT_TRUE(engine_.jobs().find(id) == nullptr || engine_.jobs().find(id)->success);
}

TEST_F(AnEngineWithASnapshot, ReadsTheStatusOnlyWhileAMergeRuns) {
  const std::uint32_t id = *merge("snap").job;
  set_cow_usage(16);
  run_until([&] { return engine_.jobs().find(id) == nullptr; });
  // Nothing polls any more: the kernel sees no call at all for a while.
  const std::size_t calls = kernel_calls().size();
  loop_.run_until([] { return false; }, std::chrono::milliseconds(100));
  EXPECT_EQ(kernel_calls().size(), calls);
}

TEST_F(AnEngineWithASnapshot, RefusesRemoveReloadAndSnapshotOfTheMapsWhileTheMergeRuns) {
  const std::uint32_t id = *merge("snap").job;
  const std::string job = "job " + std::to_string(id);
  EXPECT_THAT(thrown_by([&] { remove("origin"); }), HasSubstr(job));
  EXPECT_EQ(error_kind_of([&] { remove("origin"); }), ErrorKind::Busy);
  std::optional<Outcome<Done>> reloaded;
  engine_.reload_map("origin", linear_table(kLoop2), into(reloaded));
  EXPECT_THAT(thrown_by([&] { wait_for(reloaded).value_or_throw(); }), HasSubstr(job));
  EXPECT_EQ(error_kind_of([&] { snapshot("origin", "again", "/dev/cow2"); }), ErrorKind::Busy);
  EXPECT_THAT(thrown_by([&] { snapshot("origin", "again", "/dev/cow2"); }), HasSubstr(job));
  EXPECT_TRUE(map("origin").merging);
}

TEST_F(AnEngineWithASnapshot, RefusesATransientSnapshot) {
  CreateSnapshotRequest request{
      .origin = "origin", .name = "scratch", .cow_device = "/dev/cow2", .persistent = false};
  std::optional<Outcome<MapRecord>> created;
  engine_.create_snapshot(request, into(created));
  wait_for(created).value_or_throw();
  remove("snap");
  EXPECT_EQ(error_kind_of([&] { merge("scratch"); }), ErrorKind::InvalidArgument);
  EXPECT_THAT(thrown_by([&] { merge("scratch"); }), HasSubstr("transient"));
  EXPECT_NE(engine_.catalog().find("scratch"), nullptr);
}

TEST_F(AnEngineWithASnapshot, RefusesAMapThatIsNotASnapshot) {
  EXPECT_EQ(error_kind_of([&] { merge("origin"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind_of([&] { merge("nothing"); }), ErrorKind::NotFound);
  EXPECT_EQ(error_kind_of([&] { merge("origin-real"); }), ErrorKind::NotFound);
  EXPECT_NE(engine_.catalog().find("snap"), nullptr);
}

TEST_F(AnEngineWithASnapshot, RefusesWhenTheOriginHasOtherSnapshots) {
  snapshot("origin", "second", "/dev/cow2");
  EXPECT_THAT(thrown_by([&] { merge("snap"); }), HasSubstr("second"));
  EXPECT_EQ(error_kind_of([&] { merge("snap"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(map("origin").table, "0 4096 snapshot-origin " + device_of("origin-real") + "\n");
}

TEST_F(AnEngineWithASnapshot, RefusesAnotherToolsSnapshot) {
  on_kernel([](FakeKernelBackend& fake) {
    fake.create(CreateRequest{.name = "lvm-origin",
                              .uuid = "LVM-origin",
                              .table = {{Sectors(0), Sectors(1024), "snapshot-origin", "7:2"}}});
    fake.create(CreateRequest{.name = "lvm-snap",
                              .uuid = "LVM-snap",
                              .table = {{Sectors(0), Sectors(1024), "snapshot", "7:2 7:4 P 8"}}});
  });
  std::optional<Outcome<Done>> rescanned;
  engine_.rescan(into(rescanned));
  wait_for(rescanned).value_or_throw();
  EXPECT_EQ(error_kind_of([&] { merge("lvm-snap"); }), ErrorKind::NotOwned);
  EXPECT_THAT(kernel_calls(), Not(Contains("remove lvm-snap")));
}

TEST_F(AnEngineWithASnapshot, WithoutAStoredSnapshotAnOpenOriginIsBusyNotDeferred) {
  on_kernel([](FakeKernelBackend& fake) { fake.set_open_count("origin", 1); });
  EXPECT_THAT(thrown_by([&] { merge("snap"); }), HasSubstr("not stored"));
  EXPECT_THAT(thrown_by([&] { merge("snap", true); }), HasSubstr("open"));
  EXPECT_NE(engine_.catalog().find("snap"), nullptr);
  EXPECT_EQ(map("origin").table, "0 4096 snapshot-origin " + device_of("origin-real") + "\n");
  EXPECT_TRUE(engine_.jobs().all().empty());
}

TEST_F(AnEngineWithASnapshot, PutsTheSnapshotBackWhenTheOriginRefusesTheMergeTable) {
  const std::string table = map("snap").table;
  on_kernel([](FakeKernelBackend& fake) {
    fake.fail_next("load", Error(ErrorKind::InvalidTable, "load origin: EINVAL"));
  });
  EXPECT_EQ(error_kind_of([&] { merge("snap"); }), ErrorKind::InvalidTable);
  EXPECT_EQ(map("snap").table, table);
  EXPECT_EQ(map("origin").table, "0 4096 snapshot-origin " + device_of("origin-real") + "\n");
  EXPECT_TRUE(engine_.jobs().all().empty());
}

TEST_F(AnEngineWithASnapshot, EndsTheJobFailedWhenTheOriginsTableChangesBehindItsBack) {
  const std::uint32_t id = *merge("snap").job;
  on_kernel([](FakeKernelBackend& fake) {
    fake.reload("origin", {{Sectors(0), Sectors(4096), "linear", "7:2 0"}});
  });
  run_until([&] { return engine_.jobs().find(id)->finished; });
  EXPECT_FALSE(engine_.jobs().find(id)->success);
  EXPECT_THAT(engine_.jobs().find(id)->message, HasSubstr("no longer a merge"));
}

TEST(AMergeSample, FixesTheTotalFirstAndMovesTheProgressRateAndEndAfter) {
  JobRecord job;
  note_merge_sample(job, {Sectors(1016), Sectors(2048), Sectors(16), false}, 1'000'000);
  EXPECT_TRUE(job.progress_valid);
  EXPECT_EQ(job.bytes_total, 1000u * 512);
  EXPECT_EQ(job.bytes_done, 0u);
  EXPECT_EQ(job.expected_end_us, 0u);
  note_merge_sample(job, {Sectors(516), Sectors(2048), Sectors(16), false}, 2'000'000);
  EXPECT_EQ(job.bytes_done, 500u * 512);
  EXPECT_DOUBLE_EQ(job.progress(), 0.5);
  EXPECT_EQ(job.rate, 500u * 512);
  EXPECT_EQ(job.expected_end_us, 3'000'000u);
  EXPECT_TRUE(merge_complete({Sectors(16), Sectors(2048), Sectors(16), false}));
  EXPECT_FALSE(merge_complete({Sectors(24), Sectors(2048), Sectors(16), false}));
}

TEST(AMergeSample, NeverMovesTheProgressBackWhenTheOriginIsWrittenMeanwhile) {
  JobRecord job;
  note_merge_sample(job, {Sectors(116), Sectors(2048), Sectors(16), false}, 0);
  note_merge_sample(job, {Sectors(66), Sectors(2048), Sectors(16), false}, 1'000'000);
  note_merge_sample(job, {Sectors(96), Sectors(2048), Sectors(16), false}, 2'000'000);
  EXPECT_EQ(job.bytes_done, 50u * 512);
  EXPECT_EQ(job.bytes_total, 130u * 512);
}

}  // namespace
}  // namespace mapperd::testing
